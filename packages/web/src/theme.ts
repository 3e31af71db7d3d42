import { createTheme } from '@mantine/core';

// Darker primary shades than the default blue keep white button text above 4.5:1 contrast.
export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});
