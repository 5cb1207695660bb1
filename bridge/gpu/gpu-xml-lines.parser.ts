// The XML fallback's fast path: the sample script hands back nvidia-smi's -q -x trimmed on the host to one
// element per line (an open tag, a close tag, or a leaf with its text), which a walk over the lines reads
// into the same tree fast-xml-parser builds, at a tenth of its cost per sample. Anything outside that
// shape gives null, and the caller parses the text with the full XML parser instead.

export type XmlTree = Record<string, unknown>;

const NAME = '[A-Za-z_][\\w.-]*';
/** `<name attrs>`: attributes are ignored, as the full parser is told to. */
const OPEN = new RegExp(`^<(${NAME})(?: [^>]*)?>$`);
const CLOSE = new RegExp(`^</(${NAME})>$`);
/** `<name />`: empty, as nvidia-smi writes a GPU without processes. */
const EMPTY = new RegExp(`^<(${NAME})(?: [^>]*)?/>$`);
/** `<name attrs>text</name>` on one line; the text holds no markup. */
const LEAF = new RegExp(`^<(${NAME})(?: [^>]*)?>([^<]*)</\\1>$`);
const ENTITY = /&(lt|gt|amp|quot|apos);/g;
const OTHER_AMPERSAND = /&(?!(?:lt|gt|amp|quot|apos);)/;
const ENTITY_TEXT: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

interface Open {
  name: string;
  children: XmlTree;
  empty: boolean;
}

/**
 * The tree of one-element-per-line XML, or null when a line is anything else (a declaration, a comment,
 * text across lines, an entity beyond the five XML defines): those go to the full parser. As fast-xml-parser
 * with `ignoreAttributes`, `parseTagValue: false` and `trimValues`: leaves are trimmed strings, an element
 * without children is '', a name repeated among siblings (or listed in `alwaysArray`) becomes an array.
 */
export function readXmlLines(text: string, alwaysArray: ReadonlySet<string>): XmlTree | null {
  const root: Open = { name: '', children: Object.create(null) as XmlTree, empty: true };
  const stack: Open[] = [root];
  const add = (parent: Open, name: string, value: unknown): void => {
    parent.empty = false;
    const existing = parent.children[name];
    if (existing === undefined) parent.children[name] = alwaysArray.has(name) ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else parent.children[name] = [existing, value];
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const top = stack[stack.length - 1]!;
    const leaf = LEAF.exec(line);
    if (leaf) {
      const value = decode(leaf[2]!.trim());
      if (value === null) return null;
      add(top, leaf[1]!, value);
      continue;
    }
    const close = CLOSE.exec(line);
    if (close) {
      if (close[1] !== top.name || stack.length === 1) return null;
      stack.pop();
      add(stack[stack.length - 1]!, top.name, top.empty ? '' : top.children);
      continue;
    }
    const empty = EMPTY.exec(line);
    if (empty) {
      add(top, empty[1]!, '');
      continue;
    }
    const open = OPEN.exec(line);
    if (!open) return null;
    stack.push({ name: open[1]!, children: Object.create(null) as XmlTree, empty: true });
  }
  return stack.length === 1 ? root.children : null;
}

function decode(text: string): string | null {
  if (!text.includes('&')) return text;
  // Any other & (a character reference, an entity from a DTD): the full parser knows what to do with it.
  if (OTHER_AMPERSAND.test(text)) return null;
  return text.replace(ENTITY, (_, name: string) => ENTITY_TEXT[name]!);
}
