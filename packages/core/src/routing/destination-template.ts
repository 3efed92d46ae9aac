// Destination names from templates such as "kytos.{napp}" or "{topic}". Placeholders are
// checked when the template is configured, and every rendered name must be a valid
// destination name on every broker we support (Kafka topic and AMQP queue rules intersect to
// letters, digits, ".", "_" and "-", at most 249 characters for Kafka; 200 leaves room for
// suffixes such as ".dlq").
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";

const VALID_NAME = /^[A-Za-z0-9._-]{1,200}$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Throws KE_CONFIG_INVALID unless `template` is a non-empty string using only `allowed` placeholders. */
export function validateTemplate(template: unknown, allowed: readonly string[], setting: string): void {
  if (typeof template !== "string" || template.length === 0) {
    throw new KytosEventsError(
      ErrorCode.ConfigInvalid,
      `routing.${setting} must be a non-empty string${setting === "nappDestination" ? "" : " or false"}, got ${JSON.stringify(template)}.`,
    );
  }
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!allowed.includes(name!)) {
      const choices = allowed.length ? allowed.map((a) => `{${a}}`).join(", ") : "none";
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `routing.${setting} "${template}" uses {${name}}; allowed placeholders: ${choices}.`,
      );
    }
  }
}

/** Fills the placeholders; throws KE_CONFIG_INVALID when the result is not a valid destination name. */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  setting: string,
): string {
  const name = template.replace(PLACEHOLDER, (_, key: string) => values[key] ?? "");
  if (!VALID_NAME.test(name)) {
    throw new KytosEventsError(
      ErrorCode.ConfigInvalid,
      `routing.${setting} "${template}" renders "${name}", which is not a valid destination name ` +
        "(1-200 of letters, digits, '.', '_', '-').",
    );
  }
  return name;
}
