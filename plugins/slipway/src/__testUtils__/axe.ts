import axe from 'axe-core';

/**
 * Serious and critical WCAG 2 A/AA violations in `element`. Colour contrast
 * needs layout, which jsdom lacks; the e2e suites check it in a browser.
 */
export async function seriousViolations(element: Element): Promise<string[]> {
  const results = await axe.run(element, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
    rules: { 'color-contrast': { enabled: false } },
  });
  return results.violations
    .filter(v => ['serious', 'critical'].includes(v.impact ?? ''))
    .map(
      v =>
        `${v.id}: ${v.help} at ${v.nodes
          .map(n => n.target.join(' '))
          .join(', ')}`,
    );
}
