// ESLint 9 flat config: ESLint's and typescript-eslint's recommended rules for the whole repository.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'data/', 'reports/', 'coverage/', 'scratch/', 'test/graphql/generated.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Entry points and scripts talk to the terminal directly.
    files: ['scripts/**', 'bench/**', '.ci/**'],
    rules: { 'no-console': 'off' },
  },

  // ── Boundary: the emulators package ─────────────────────────────────────────────────────────
  // packages/emulators imports nothing of the hub (src/, test/, …): no relative import may climb
  // out of the package. In a file `depth` folders below packages/emulators/, `depth + 1` leading
  // `../` reach packages/. One block per depth; the last one also takes every deeper file.
  { ignores: ['packages/*/dist/'] },
  ...Array.from({ length: 9 }, (_, depth) => ({
    files: [`packages/emulators/${'*/'.repeat(depth)}${depth < 8 ? '*' : '**'}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\.(/|$)){${depth + 1}}`,
              message: 'The emulators package imports nothing from the hub (src/, test/, …): move what it needs into packages/emulators or use a dependency.',
            },
          ],
        },
      ],
    },
  })),
);
