/** Raise when an edit is added; a binding reporting less is rebuilt. */
export declare const BINDING_PATCH_LEVEL: number;
/** The level and a digest of the edits (`3-0123456789`): tags patched sources and cached builds. */
export declare const BINDING_PATCH_ID: string;
/** Applies our edits to tfjs-node's binding sources in `pkgDir`: 'applied', 'present' or why not. */
export declare function patchBindingSources(pkgDir: string): string;
