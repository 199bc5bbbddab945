/**
 * The page's only way to make elements: text goes in as text nodes (never as HTML), attributes are a fixed
 * set of names. Hostile text in a record (`<script>`, `onerror=`, terminal escapes) can only ever be shown.
 */

type Child = Node | string | number | undefined | false;
type Attributes = {
  class?: string;
  title?: string;
  id?: string;
  type?: string;
  value?: string;
  placeholder?: string;
  testid?: string;
  colspan?: number;
  open?: boolean;
  disabled?: boolean;
  tabindex?: number;
};

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const { class: className, testid, colspan, open, disabled, tabindex, ...plain } = attributes;
  if (className !== undefined) element.className = className;
  if (testid !== undefined) element.dataset.testid = testid;
  if (colspan !== undefined) element.setAttribute("colspan", String(colspan));
  if (open === true) element.setAttribute("open", "");
  if (disabled === true) element.setAttribute("disabled", "");
  if (tabindex !== undefined) element.tabIndex = tabindex;
  for (const [name, value] of Object.entries(plain)) {
    if (value !== undefined) element.setAttribute(name, visible(String(value)));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(visible(String(child))));
  }
}

/**
 * Control characters made visible: ESC (terminal escapes) shows as ␛, the other C0 controls as their
 * Control Pictures, DEL as ␡; tabs and line breaks stay. So `\u001b[31m` reads as `␛[31m`, not as nothing.
 */
export function visible(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) =>
    c === "\u007f" ? "\u2421" : String.fromCharCode(0x2400 + c.charCodeAt(0)),
  );
}

export function clear(element: Element): void {
  element.replaceChildren();
}
