#!/bin/sh
# Start Alertmanager with alertmanager.yml.tmpl filled in from the environment:
#   ALERT_EMAIL_TO          where alerts go (comma-separated); empty: alerts are not emailed
#   ALERT_EMAIL_FROM        sender address
#   ALERT_SMTP_SMARTHOST    SMTP server, host:port (e.g. smtp.example.com:587)
#   ALERT_SMTP_USERNAME     SMTP login (empty: no authentication)
#   ALERT_SMTP_PASSWORD     SMTP password: written to a file only this process can read
#   ALERT_SMTP_REQUIRE_TLS  true (default) or false
# Arguments are passed on to Alertmanager. POSIX sh: runs on the image's busybox.
set -eu

template="${ALERTMANAGER_TEMPLATE:-/etc/alertmanager/alertmanager.yml.tmpl}"
render_dir="${ALERTMANAGER_RENDER_DIR:-/tmp/alertmanager}"
config="$render_dir/alertmanager.yml"

umask 077
mkdir -p "$render_dir"
printf '%s' "${ALERT_SMTP_PASSWORD:-}" > "$render_dir/smtp_password"

case "${ALERT_SMTP_REQUIRE_TLS:-true}" in
  true|false) ;;
  *) echo "ALERT_SMTP_REQUIRE_TLS must be true or false" >&2; exit 2 ;;
esac

# A value for inside "…" in YAML (backslash and quote escaped), then for a sed replacement.
quote() {
  case "$1" in
    *"
"*) echo "ALERT_* values must be one line" >&2; exit 2 ;;
  esac
  printf '%s' "$1" | sed -e 's/[\\"]/\\&/g' -e 's/[\\&|]/\\&/g'
}

drop_email=''
if [ -z "${ALERT_EMAIL_TO:-}" ]; then
  echo "alertmanager: ALERT_EMAIL_TO is not set: alerts are not emailed" >&2
  drop_email='/# >>> email/,/# <<< email/d'
fi

sed -e "$drop_email" \
    -e "s|\${ALERT_EMAIL_TO}|$(quote "${ALERT_EMAIL_TO:-}")|g" \
    -e "s|\${ALERT_EMAIL_FROM}|$(quote "${ALERT_EMAIL_FROM:-alertmanager@localhost}")|g" \
    -e "s|\${ALERT_SMTP_SMARTHOST}|$(quote "${ALERT_SMTP_SMARTHOST:-localhost:25}")|g" \
    -e "s|\${ALERT_SMTP_USERNAME}|$(quote "${ALERT_SMTP_USERNAME:-}")|g" \
    -e "s|\${ALERT_SMTP_PASSWORD_FILE}|$(quote "$render_dir/smtp_password")|g" \
    -e "s|\${ALERT_SMTP_REQUIRE_TLS}|${ALERT_SMTP_REQUIRE_TLS:-true}|g" \
    "$template" > "$config"

exec "${ALERTMANAGER_BIN:-/bin/alertmanager}" --config.file="$config" "$@"
