import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports code under src/ may not make (see the module-faces block below). */
const FACES = [
  {
    regex: '(^|/)modules/[a-z]+/(?!index\\.js$)[^/]+$',
    message: 'Import a module only through its index.js (its public face).',
  },
  { regex: '(^|/)test/', message: 'Code under src/ does not depend on tests.' },
  { regex: '(^|/)app\\.js$', message: 'Only server.ts builds the app: take dependencies as options.' },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'data/',
      'dist/',
      'web/dist/',
      'web/dist-doctor/',
      'coverage/',
      'clients/typescript/schema.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // One clock (src/clock.ts), injected everywhere else, so no code or test depends on the date
    // it runs on. bench/ and scripts/ drive real servers on the real clock and are left out.
    files: ['src/**/*.ts', 'test/**/*.ts'],
    ignores: ['src/clock.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Take the injected clock (src/clock.ts), not Date.now.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'new Date() reads the wall clock: take the injected clock (src/clock.ts).',
        },
        {
          selector: "CallExpression[callee.name='Date']",
          message: 'Date() reads the wall clock: take the injected clock (src/clock.ts).',
        },
      ],
    },
  },
  {
    // Module faces (docs/architecture.md, Code layout): a module's index.ts is all other code
    // sees of it; the code under src/ never reaches into test/, and nothing but server.ts
    // imports app.ts (modules get their dependencies passed in).
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: FACES }] },
  },
  {
    // Inside a module, a sibling module is `../<name>/...`.
    files: ['src/modules/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...FACES,
            {
              regex: '^\\.\\./[a-z]+/(?!index\\.js$)[^/]+$',
              message: 'Import another module only through its index.js (its public face).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/server.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The back office runs in a browser.
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', fetch: 'readonly' } },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
