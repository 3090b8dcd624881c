/**
 * Trusted Types: the policy (vite.config.ts) says `require-trusted-types-for 'script'`, so no
 * string reaches an HTML or script sink (innerHTML, an inline script's text, eval) without a
 * policy, and the only policy is this one, named "default". It admits script URLs of this origin
 * (and its blob: URLs), which is what the page's workers and onnxruntime-web load, and nothing
 * else: no HTML from strings, no script from strings. The page builds its DOM with elements and
 * text nodes, never with HTML strings. Imported first by every entry point and worker.
 */
interface TrustedTypePolicyFactory {
  createPolicy(name: string, rules: { createScriptURL?: (url: string) => string; createHTML?: (html: string) => string }): unknown;
  defaultPolicy: unknown;
}

const factory = (globalThis as unknown as { trustedTypes?: TrustedTypePolicyFactory }).trustedTypes;

/** True when `url` (relative to this document or worker) is this origin or one of its blob: URLs. */
export function sameOriginScript(url: string, base: string): boolean {
  try {
    const u = new URL(url, base);
    const origin = new URL(base).origin;
    if (u.protocol === 'blob:') return new URL(u.pathname).origin === origin;
    return u.origin === origin;
  } catch {
    return false;
  }
}

if (factory && !factory.defaultPolicy) {
  factory.createPolicy('default', {
    createScriptURL(url) {
      if (sameOriginScript(url, String(globalThis.location.href))) return url;
      throw new TypeError(`Trusted Types: script URL ${url} is not of this origin; refused`);
    },
  });
}
