/**
 * The Lambda code a program run deploys. `lambdaCode(bundle)` builds the bundle (infra/lambda-bundle.ts) the first
 * time a function asks for it in this process and resolves with its folder; later calls share that build. A
 * `pulumi preview` or `pulumi up` is one process, so each bundle is built once per run, from the sources as they are
 * now, before the function registers its code archive: the engine hashes the archive at registration, in preview
 * too, so the folder must exist by then, and hashing fresh output means an unchanged handler shows no diff while a
 * changed one is redeployed. Nothing needs building by hand first.
 *
 * Bundles go to `<repo>/dist/` (gitignored). Tests may point the builds at another checkout or folder
 * (`setLambdaCodeSources`), which also forgets the builds made so far.
 */
import * as path from "node:path";
import { buildBundle, bundleEntry, REPO_ROOT } from "./lambda-bundle";

export interface LambdaCodeSources {
  /** The checkout whose handlers are bundled. */
  repoRoot: string;
  /** The folder bundle folders go to; keep it inside the checkout and gitignored. */
  outDir: string;
}

let sources: LambdaCodeSources = { repoRoot: REPO_ROOT, outDir: path.join(REPO_ROOT, "dist") };
const builds = new Map<string, Promise<string>>();

/** Where bundles come from and go to now. */
export function lambdaCodeSources(): LambdaCodeSources {
  return { ...sources };
}

/** Changes where bundles come from and go to, and forgets earlier builds; returns the previous setting. */
export function setLambdaCodeSources(next: Partial<LambdaCodeSources>): LambdaCodeSources {
  const previous = sources;
  const repoRoot = path.resolve(next.repoRoot ?? previous.repoRoot);
  sources = { repoRoot, outDir: path.resolve(next.outDir ?? path.join(repoRoot, "dist")) };
  builds.clear();
  return previous;
}

/** Forgets the builds made so far: the next `lambdaCode` call builds again. */
export function forgetLambdaBuilds(): void {
  builds.clear();
}

/**
 * The folder holding the built bundle `bundle` (index.js, its source map, any wasm). Throws at once for a name
 * with no entry in LAMBDA_ENTRIES; the promise rejects, naming the bundle and esbuild's errors, when it does not
 * build.
 */
export function lambdaCode(bundle: string): Promise<string> {
  bundleEntry(bundle);
  let pending = builds.get(bundle);
  if (!pending) {
    pending = buildBundle(bundle, sources).then((built) => built.dir ?? path.join(sources.outDir, bundle));
    // Whoever asked awaits the failure; this only keeps Node from calling it unhandled before they get to it.
    pending.catch(() => undefined);
    builds.set(bundle, pending);
  }
  return pending;
}
