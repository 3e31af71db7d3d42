// The theme's colours read at WCAG AA (4.5:1) in the light scheme: the error text of a field,
// coloured text (`c="red"`) and the text of light alerts and badges on their own background.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THEME, mergeMantineTheme } from '@mantine/core';
import { contrastRatio, cssVariablesResolver, theme } from '../src/theme.ts';

const full = mergeMantineTheme(DEFAULT_THEME, theme);
const light = cssVariablesResolver(full).light;

describe('the light scheme’s colours', () => {
  it('shows field errors at 4.5:1 or more on white', () => {
    const error = light['--mantine-color-error']!;
    expect(contrastRatio(error, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    // Mantine's default (red.6, #fa5252) is 3.28:1: the reason for the override.
    expect(contrastRatio(full.colors.red[6], '#ffffff')).toBeLessThan(4.5);
  });

  it('keeps coloured text and light alerts readable for every colour used for problems', () => {
    for (const name of ['red', 'orange', 'yellow', 'green', 'teal', 'blue', 'indigo']) {
      const text = light[`--mantine-color-${name}-text`]!;
      const onLight = light[`--mantine-color-${name}-light-color`]!;
      expect(contrastRatio(text, '#ffffff'), `${name} text`).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(text, full.colors.gray[1]), `${name} text`).toBeGreaterThanOrEqual(4.5);
      expect(
        contrastRatio(onLight, full.colors[name]![1]),
        `${name} light alert`,
      ).toBeGreaterThanOrEqual(4.5);
    }
  });
});
