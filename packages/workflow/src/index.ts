export { issueText, WorkflowError, type WorkflowErrorCode, type WorkflowIssue } from "./errors.js";
export {
  type EdgeKind,
  FLOW_LINE_HELP,
  type FlowEdge,
  formatFlowLine,
  NAME,
  NODE_ID,
  parseFlowLine,
} from "./flow.js";
export {
  type CompileOptions,
  compileWorkflow,
  FOREACH_CONTROL,
  type GraphEdge,
  INPUT,
  SWITCH,
  TRY_CATCH,
  type WorkflowGraph,
} from "./graph.js";
export {
  RESERVED_NODE_NAMES,
  WORKFLOW_LIMITS,
  type WorkflowSizeLimit,
  type WorkflowSizeLimits,
} from "./limits.js";
export {
  type NodeConfig,
  type ParseOptions,
  parseWorkflowObject,
  parseWorkflowYaml,
  utf8Length,
  type WorkflowDoc,
  type WorkflowLimitsInput,
} from "./parse.js";
export {
  type CredentialEnvelope,
  deriveTenantKey,
  ENVELOPE_VERSION,
  type Execution,
  type ExecutorErrorCode,
  envelopeAad,
  legacyEnvelopeAad,
  openEnvelope,
  openRecipePush,
  parseTenantKey,
  type RecipeCheckResponse,
  type RecipePushPhase,
  type RecipePushRequest,
  type RecipePushResponse,
  sealEnvelope,
  sealRecipePush,
  type TraceEntry,
} from "./protocol.js";
export {
  isTemplateRef,
  type TemplatePart,
  templateParts,
  templateRefs,
  wholeTemplate,
} from "./template.js";
