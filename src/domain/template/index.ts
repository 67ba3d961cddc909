// Public surface of merge-field templates: the context types, static field analysis, rendering
// for email, text and headers, variant choice, SMS segment counting and advisory copy checks.

export { type CopyWarning, copyWarnings } from "./copyChecks.ts";
export type { TemplateSyntaxError } from "./liquidEngine.ts";
export type {
  AccountFields,
  ContactFields,
  CustomFields,
  CustomFieldValue,
  DealFields,
  MergeContext,
  SenderFields,
} from "./mergeContext.ts";
export { KNOWN_FIELD_PATHS, MERGE_NAMESPACES } from "./mergeFields.ts";
export { missingFields } from "./missingFields.ts";
export { pickVariant, type WeightedVariant } from "./pickVariant.ts";
export { type EmailSource, type RenderEmailResult, renderEmail } from "./renderEmail.ts";
export { type RenderTextResult, renderHeaderValue, renderText } from "./renderText.ts";
export { type SmsSegments, smsSegments } from "./smsSegments.ts";
export { type TemplateFieldsResult, templateFields } from "./templateFields.ts";
export { type UnknownField, unknownFields } from "./unknownFields.ts";
