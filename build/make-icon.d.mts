/** Types for build/make-icon.mjs, so the packaging tests can import it under `strict`. */
export declare const iconSize: number
export declare const iconPath: string
export declare function renderIcon(): Buffer
