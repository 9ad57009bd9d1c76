import type { Recipe } from "@arcrun/recipes";
import type { Api, InstanceRow, ServiceRow, StoreInfo, TestResult, TokenResult } from "./api.js";
import type { Io } from "./io.js";
import type { Prompter } from "./prompt.js";
import { allRecipes, arcrunHome, unknownService } from "./recipes.js";

/**
 * The parts of arcrun-auth's `Auth` the CLI calls, as DESIGN.md "arcrun-auth" describes them.
 * TEMPORARY: replaced by the library's own types once `createAuth` lands in packages/auth.
 */
interface AuthLike {
  setSecret(service: string, values: Record<string, string>, opts: { instance?: string }): Promise<void>;
  getSecret(service: string, opts: { instance?: string }): Promise<Record<string, string>>;
  getToken(service: string, opts: { instance?: string }): Promise<TokenResult>;
  login(service: string, opts: object): Promise<void>;
  logout(service: string, opts: { instance?: string }): Promise<{ deleted: boolean; revoked: boolean }>;
  test(service: string, opts: object): Promise<TestResult>;
  status(service?: string): Promise<Array<{ service: string; instances: InstanceRow[] }>>;
  store(): Promise<StoreInfo>;
}

export async function createApi(io: Io, prompter: () => Prompter): Promise<Api> {
  const lib = (await import("arcrun-auth")) as unknown as {
    createAuth(options: Record<string, unknown>): AuthLike;
  };
  const auth = lib.createAuth({ home: arcrunHome(io.env), env: io.env, prompt: prompter() });
  let recipes: Promise<Recipe[]> | undefined;
  const all = () => {
    recipes ??= allRecipes(io.env);
    return recipes;
  };
  const recipe = async (id: string) => {
    const list = await all();
    const r = list.find((x) => x.id === id);
    if (!r)
      throw unknownService(
        id,
        list.map((x) => x.id),
      );
    return r;
  };
  const alternatives = (r: Recipe) =>
    (["oauth2", "service_account", "aws_sigv4"] as const).filter(
      (p) => p !== r.primitive && r[p] !== undefined,
    );
  return {
    recipes: all,
    recipe,
    async services(service) {
      const list = service === undefined ? await all() : [await recipe(service)];
      const status = await auth.status(service);
      const byId = new Map(status.map((s) => [s.service, s.instances]));
      return list.map(
        (r): ServiceRow => ({
          id: r.id,
          name: r.display_name,
          primitive: r.primitive,
          alternatives: alternatives(r),
          instances: byId.get(r.id) ?? [],
        }),
      );
    },
    test: (service, options) => auth.test(service, options),
    setSecret: (service, values, options) => auth.setSecret(service, values, options),
    login: (service, options) => auth.login(service, options),
    logout: (service, options) => auth.logout(service, options),
    token: (service, options) => auth.getToken(service, options),
    secret: (service, options) => auth.getSecret(service, options),
    store: () => auth.store(),
  };
}
