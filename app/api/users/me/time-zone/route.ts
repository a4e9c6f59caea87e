import { route } from "@/lib/http/route";
import { setTimeZonePreference, TimeZonePreferenceInput } from "@/lib/users/time-zone-preference";

export const PUT = route({ role: "viewer", body: TimeZonePreferenceInput }, ({ ctx, input }) =>
  setTimeZonePreference({ ctx, input: input.body }),
);
