// Module resolution hook (node:module register): `import ... from 'electron'` in the built main
// process loads the stand-in next to this file instead of the electron package.
const STAND_IN = new URL('./electronStandIn.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: STAND_IN, shortCircuit: true };
  return next(specifier, context);
}
