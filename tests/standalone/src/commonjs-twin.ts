/**
 * The CommonJS twin of an ES module smoke test, written at test time so that one source covers
 * both ways of loading a package: its leading `import` statements become `require` calls (which
 * load the packages' CommonJS builds), and the rest, which may use top-level await, runs in an
 * async function whose rejection exits with code 1 like an uncaught error of an ES module.
 *
 * Only what the smoke tests use is accepted, and anything else throws rather than being
 * translated loosely: `import * as x`, `import { a, b as c }`, a default import of a `node:`
 * built-in (a package's default export is not its `require` result), and bare `import 'x'`.
 */

const IMPORT = /^import\s+(?:([\s\S]*?)\s+from\s+)?'([^']+)';[ \t]*$/;

/** `const ... = require('specifier');` for one import clause (undefined clause: bare import). */
function requireOf(clause: string | undefined, specifier: string): string {
  const call = `require('${specifier}')`;
  if (clause === undefined) return `${call};`;
  const namespace = /^\*\s+as\s+([\w$]+)$/.exec(clause);
  if (namespace) return `const ${namespace[1]} = ${call};`;
  const named = /^\{([\s\S]*)\}$/.exec(clause);
  if (named) {
    const bindings = named[1]!
      .split(',')
      .map((binding) => binding.trim())
      .filter((binding) => binding !== '')
      .map((binding) => {
        const renamed = /^([\w$]+)\s+as\s+([\w$]+)$/.exec(binding);
        if (renamed) return `${renamed[1]}: ${renamed[2]}`;
        if (/^[\w$]+$/.test(binding)) return binding;
        throw new Error(`commonJsTwin: cannot translate the import binding '${binding}'`);
      });
    return `const { ${bindings.join(', ')} } = ${call};`;
  }
  if (/^[\w$]+$/.test(clause) && specifier.startsWith('node:')) return `const ${clause} = ${call};`;
  throw new Error(`commonJsTwin: cannot translate 'import ${clause} from '${specifier}''`);
}

/** `source` (an ES module) as a CommonJS script; `name` is the file it was made from. */
export function commonJsTwin(source: string, name: string): string {
  const lines = source.split('\n');
  const head: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('//')) {
      head.push(line);
      continue;
    }
    if (!line.startsWith('import ')) break;
    // An import may span lines (`import {` ... `} from '...';`): gather up to its `;`.
    let statement = line;
    while (!statement.trimEnd().endsWith(';') && i + 1 < lines.length)
      statement += `\n${lines[++i]}`;
    const match = IMPORT.exec(statement);
    if (!match) throw new Error(`commonJsTwin: cannot translate '${statement}'`);
    head.push(requireOf(match[1], match[2]!));
  }
  const body = lines.slice(i);
  for (const line of body) {
    if (/^(import|export)\b/.test(line) || /\bimport\.meta\b/.test(line))
      throw new Error(`commonJsTwin: '${line}' has no CommonJS translation here`);
  }
  return [
    `// Generated from ${name} when the consumer project is made: do not edit.`,
    "'use strict';",
    ...head,
    '(async () => {',
    ...body,
    '})().catch((error) => {',
    '  console.error(error);',
    '  process.exit(1);',
    '});',
    '',
  ].join('\n');
}
