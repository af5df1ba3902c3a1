const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML and SVG, in element content and quoted attributes alike: node names come from the model file, which anyone may have written. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/**
 * Markdown text in a table cell or a line: pipes and line breaks would end
 * the cell, Markdown renderers pass inline HTML through (so `<` and `&` become
 * entities), and code, emphasis and link markers are taken literally.
 */
export const escapeMarkdownCell = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/([\\`*[\]|])/g, '\\$1')
    .replace(/[\r\n]+/g, ' ');
