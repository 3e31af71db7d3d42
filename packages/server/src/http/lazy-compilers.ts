import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
/** A compiler factory: (the instance's shared schemas, its options) → a route schema's compiler. */
type Factory = (externalSchemas: unknown, options: unknown) => unknown;

/** Fastify's default factory in `module` (one of Fastify's own dependencies), on first call. */
function loadedOnFirstUse(module: string): Factory {
  let factory: Factory | undefined;
  return (externalSchemas, options) => {
    factory ??= (
      createRequire(createRequire(import.meta.url).resolve('fastify'))(module) as () => Factory
    )();
    return factory(externalSchemas, options);
  };
}

/**
 * Fastify's default JSON-schema compilers (Ajv, fast-json-stringify), loaded when a route
 * first needs one rather than when the instance is created: `Fastify()` loads both unless a
 * factory is given (~30 ms of every start-up here), though no route of ours compiles with
 * them (the Zod compilers set on the instance take every schema). The same factories with
 * the same arguments if one ever does; the cast is only because Fastify types the validator's
 * factory as an overload of Ajv's and JTD's.
 */
export const lazyDefaultCompilers = {
  buildValidator: loadedOnFirstUse('@fastify/ajv-compiler'),
  buildSerializer: loadedOnFirstUse('@fastify/fast-json-stringify-compiler'),
} as unknown as CompilersFactory;
