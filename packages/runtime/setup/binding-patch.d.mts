/** Raise when an edit is added; a binding reporting less is rebuilt. */
export declare const BINDING_PATCH_LEVEL: number;
/** Applies our edits to tfjs-node's binding sources in `pkgDir`: 'applied', 'present' or why not. */
export declare function patchBindingSources(pkgDir: string): string;
