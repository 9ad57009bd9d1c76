// Compile-time only: fails `tsc` when the hand-written types in types.ts drift from the zod schema.
import type * as z from "zod/mini";
import type {
  AwsSigV4,
  Capture,
  GitHelper,
  HttpDigest,
  Inject,
  OAuth2,
  Primitive,
  RecipeSchema,
  RequiredSecret,
  ScopeEcho,
  ServiceAccount,
  Session,
  TestRequest,
} from "./schema.js";
import type * as T from "./types.js";

type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type Assert<V extends true> = V;

export type Checks = [
  Assert<Equals<z.infer<typeof RecipeSchema>, T.Recipe>>,
  Assert<Equals<z.infer<typeof Primitive>, T.PrimitiveName>>,
  Assert<Equals<z.infer<typeof RequiredSecret>, T.RequiredSecretSpec>>,
  Assert<Equals<z.infer<typeof Inject>, T.InjectSpec>>,
  Assert<Equals<z.infer<typeof TestRequest>, T.TestRequestSpec>>,
  Assert<Equals<z.infer<typeof OAuth2>, T.OAuth2Spec>>,
  Assert<Equals<z.infer<typeof ScopeEcho>, T.ScopeEchoSpec>>,
  Assert<Equals<z.infer<typeof Capture>, T.CaptureSpec>>,
  Assert<Equals<z.infer<typeof ServiceAccount>, T.ServiceAccountSpec>>,
  Assert<Equals<z.infer<typeof AwsSigV4>, T.AwsSigV4Spec>>,
  Assert<Equals<z.infer<typeof GitHelper>, T.GitHelperSpec>>,
  Assert<Equals<z.infer<typeof HttpDigest>, T.HttpDigestSpec>>,
  Assert<Equals<z.infer<typeof Session>, T.SessionSpec>>,
];
