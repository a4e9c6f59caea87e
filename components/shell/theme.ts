/** Where the viewer's choice is kept; "system" (or nothing) follows the OS setting. */
export const THEME_STORAGE_KEY = "rc-theme";
export const THEME_CHOICES = ["light", "dark", "system"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === "string" && (THEME_CHOICES as readonly string[]).includes(value);
}

/**
 * Puts the `dark` class on <html> for a choice. Self-contained (no imports, no outer names)
 * because its source text is also inlined as the before-paint script below.
 */
export function applyTheme(choice: string | null): void {
  const dark = choice === "dark" || (choice !== "light" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}

/** Runs in <head> before first paint, so a dark-theme viewer never sees a white flash. */
export const themeScript = `try{(${applyTheme.toString()})(localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)}))}catch(e){}`;

export function readThemeChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(THEME_STORAGE_KEY);
    return isThemeChoice(stored) ? stored : "system";
  } catch {
    return "system"; // storage blocked (privacy settings): follow the OS
  }
}

const CHANGE_EVENT = "rc-theme-change";

export function setThemeChoice(choice: ThemeChoice): void {
  try {
    localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // storage blocked: the choice still applies to this page
  }
  // Without this, every transition-colors element fades at its own pace and the page flickers.
  const freeze = document.createElement("style");
  freeze.textContent = "*,*::before,*::after{transition:none!important}";
  document.head.append(freeze);
  applyTheme(choice);
  void window.getComputedStyle(document.body).color; // flush styles while transitions are off
  requestAnimationFrame(() => freeze.remove());
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

/** For useSyncExternalStore: changes made here, in another tab, or by the OS. */
export function subscribeThemeChoice(listener: () => void): () => void {
  window.addEventListener(CHANGE_EVENT, listener);
  window.addEventListener("storage", listener);
  return () => {
    window.removeEventListener(CHANGE_EVENT, listener);
    window.removeEventListener("storage", listener);
  };
}

/**
 * Keeps <html> in step with the stored choice: re-applies it after hydration (React's
 * development remount clears the class the inline script set), follows OS changes while on
 * "system", and follows choices made in other tabs.
 */
export function syncTheme(): () => void {
  const apply = () => applyTheme(readThemeChoice());
  apply();
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  media.addEventListener("change", apply);
  window.addEventListener("storage", apply);
  return () => {
    media.removeEventListener("change", apply);
    window.removeEventListener("storage", apply);
  };
}
