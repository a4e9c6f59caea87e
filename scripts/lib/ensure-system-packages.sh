# Sourced by scripts/test: installs what the test suite needs from Debian's packages when it is
# missing (PostgreSQL server binaries, Chromium). Needs root and apt-get; otherwise says what to install.
need_postgres=1
for dir in "${PG_BIN_DIR:-}" "$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || echo /nonexistent)")")" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null); do
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then need_postgres=0; break; fi
done
command -v psql >/dev/null && command -v pg_restore >/dev/null && command -v pg_dump >/dev/null || need_postgres=1
need_chromium=0
command -v chromium >/dev/null || need_chromium=1

if [ "$need_postgres$need_chromium" != "00" ]; then
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "Missing system packages: $([ $need_postgres = 1 ] && echo 'postgresql ')$([ $need_chromium = 1 ] && echo chromium). Install them and run again." >&2
    exit 1
  fi
  packages=()
  if [ $need_postgres = 1 ]; then
    # Don't let the package create and start a system-wide cluster: tests start their own.
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
    packages+=(postgresql)
  fi
  [ $need_chromium = 1 ] && packages+=(chromium)
  echo "Installing ${packages[*]} (apt-get)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
