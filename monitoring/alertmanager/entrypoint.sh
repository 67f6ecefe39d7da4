#!/bin/sh
# Start Alertmanager with alertmanager.yml.tmpl filled in from the environment:
#   ALERT_EMAIL_TO          where alerts go (comma-separated); empty: alerts are not emailed
#   ALERT_EMAIL_FROM        sender address
#   ALERT_SMTP_SMARTHOST    SMTP server, host:port (e.g. smtp.example.com:587)
#   ALERT_SMTP_USERNAME     SMTP login (empty: no authentication)
#   ALERT_SMTP_PASSWORD     SMTP password: written to a file only this process can read
#   ALERT_SMTP_REQUIRE_TLS  true (default) or false
#   ALERT_SMS_WEBHOOK_URL   http(s) URL of an SMS gateway's webhook: critical alerts go there too;
#                           empty: no SMS
#   ALERT_SMS_WEBHOOK_TOKEN sent as "Authorization: Bearer …" (written to a private file); empty: none
# Arguments are passed on to Alertmanager. POSIX sh: runs on the image's busybox.
set -eu

template="${ALERTMANAGER_TEMPLATE:-/etc/alertmanager/alertmanager.yml.tmpl}"
render_dir="${ALERTMANAGER_RENDER_DIR:-/tmp/alertmanager}"
config="$render_dir/alertmanager.yml"

umask 077
mkdir -p "$render_dir"
printf '%s' "${ALERT_SMTP_PASSWORD:-}" > "$render_dir/smtp_password"
printf '%s' "${ALERT_SMS_WEBHOOK_TOKEN:-}" > "$render_dir/sms_webhook_token"

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

drop_sms=''
drop_sms_token=''
case "${ALERT_SMS_WEBHOOK_URL:-}" in
  '') drop_sms='/# >>> sms /,/# <<< sms$/d'
      echo "alertmanager: ALERT_SMS_WEBHOOK_URL is not set: critical alerts are not sent by SMS" >&2 ;;
  *[[:space:]]*) echo "ALERT_SMS_WEBHOOK_URL must not contain spaces" >&2; exit 2 ;;
  http://?*|https://?*) ;;
  *) echo "ALERT_SMS_WEBHOOK_URL must be an http:// or https:// URL" >&2; exit 2 ;;
esac
if [ -z "${ALERT_SMS_WEBHOOK_TOKEN:-}" ]; then
  drop_sms_token='/# >>> sms-token/,/# <<< sms-token/d'
fi

sed -e "$drop_email" -e "$drop_sms" -e "$drop_sms_token" \
    -e "s|\${ALERT_EMAIL_TO}|$(quote "${ALERT_EMAIL_TO:-}")|g" \
    -e "s|\${ALERT_EMAIL_FROM}|$(quote "${ALERT_EMAIL_FROM:-alertmanager@localhost}")|g" \
    -e "s|\${ALERT_SMTP_SMARTHOST}|$(quote "${ALERT_SMTP_SMARTHOST:-localhost:25}")|g" \
    -e "s|\${ALERT_SMTP_USERNAME}|$(quote "${ALERT_SMTP_USERNAME:-}")|g" \
    -e "s|\${ALERT_SMTP_PASSWORD_FILE}|$(quote "$render_dir/smtp_password")|g" \
    -e "s|\${ALERT_SMTP_REQUIRE_TLS}|${ALERT_SMTP_REQUIRE_TLS:-true}|g" \
    -e "s|\${ALERT_SMS_WEBHOOK_URL}|$(quote "${ALERT_SMS_WEBHOOK_URL:-}")|g" \
    -e "s|\${ALERT_SMS_WEBHOOK_TOKEN_FILE}|$(quote "$render_dir/sms_webhook_token")|g" \
    "$template" > "$config"

exec "${ALERTMANAGER_BIN:-/bin/alertmanager}" --config.file="$config" "$@"
