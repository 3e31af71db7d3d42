import { createTheme, darken, toRgba, type CSSVariablesResolver } from '@mantine/core';

// Darker primary shades than the default blue keep white button text above 4.5:1 contrast.
export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});

/** WCAG AA for normal-size text. */
const MIN_CONTRAST = 4.5;

function relativeLuminance(color: string): number {
  const { r, g, b } = toRgba(color);
  const [R, G, B] = [r, g, b].map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * R + 0.7152 * G + 0.0722 * B;
}

export function contrastRatio(a: string, b: string): number {
  const [x, y] = [relativeLuminance(a), relativeLuminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/**
 * `color`, darkened in small steps until it reads at 4.5:1 (with a little margin for rounding)
 * on every one of `backgrounds`.
 */
export function readableOn(color: string, backgrounds: readonly string[]): string {
  let result = color;
  for (let step = 1; step <= 20; step += 1) {
    if (backgrounds.every((bg) => contrastRatio(result, bg) >= MIN_CONTRAST + 0.1)) return result;
    result = darken(color, step * 0.05);
  }
  return result;
}

// Mantine's default "dimmed" and placeholder greys fall under WCAG AA contrast (4.5:1) on
// white and on the dark body; these keep secondary text readable in both schemes.
//
// In the light scheme Mantine's error red (red.6, 3.3:1 on white) and its coloured text
// (`c="red"`: the primary shade, red.7) fall under 4.5:1, and so does the text of a light
// alert or badge in orange, yellow, green or teal (shade 9 on shade 1): each is darkened until
// it reads on white, on the striped-row grey and on its own light background.
export const cssVariablesResolver: CSSVariablesResolver = (t) => {
  const readable: Record<string, string> = {};
  for (const [name, shades] of Object.entries(t.colors)) {
    if (name === 'dark' || name === 'gray') continue;
    readable[`--mantine-color-${name}-text`] = readableOn(shades[9], [t.white, t.colors.gray[1]]);
    readable[`--mantine-color-${name}-light-color`] = readableOn(shades[9], [shades[1]]);
  }
  return {
    variables: {},
    light: {
      ...readable,
      '--mantine-color-dimmed': t.colors.gray[7],
      '--mantine-color-placeholder': t.colors.gray[7],
      '--mantine-color-error': readableOn(t.colors.red[9], [t.white, t.colors.gray[1]]),
    },
    dark: {
      '--mantine-color-dimmed': t.colors.dark[1],
      '--mantine-color-placeholder': t.colors.dark[1],
      '--mantine-color-error': t.colors.red[4],
    },
  };
};
