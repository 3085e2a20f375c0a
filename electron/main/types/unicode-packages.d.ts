// The two packages ship no usable type declarations; these cover what Keyhold calls.

declare module 'unicode-confusables' {
  /** Each code point replaced by its prototype from Unicode's confusables.txt (UTS #39). */
  export function rectifyConfusion(text: string): string
}

declare module 'unicode-property-value-aliases-ecmascript' {
  /** Property name → (alias → canonical value name), for the properties ECMAScript regular expressions support. */
  const aliases: Map<string, Map<string, string>>
  // The package is CommonJS: `module.exports` is the map itself.
  export = aliases
}
