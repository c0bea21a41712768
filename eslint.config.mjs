// `npm run lint` (issue 16 item 4): ESLint's recommended rules plus typescript-eslint's
// recommended type-checked set over src/, adapters/, scripts/ and tests/. The dependency rule of
// the layout is checked by dependency-cruiser (.dependency-cruiser.cjs), not here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The Node globals our plain-JS scripts use (the `globals` package is not a dependency of ours). */
const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'fetch', 'AbortSignal', 'module', 'require']
    .map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'infra/**',
      // Planted violations for the dependency-rule test; they are wrong on purpose.
      'tests/fixtures/dependency-rule/**',
      'src/console/screenshots/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The project service finds each file's nearest tsconfig.json, so src/console/** is
        // checked against its own (DOM, JSX, bundler resolution) and the rest against the root one.
        // Neither tsconfig includes the Vite configs: they get the default project.
        projectService: { allowDefaultProject: ['src/console/vite.config.ts', 'src/console/widget/vite.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `_`-prefixed parameters and caught errors are deliberately unused (a port's signature, a
      // destructured field dropped on purpose).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // An `async` method without `await` is how a port implementation turns a synchronous throw into
      // the rejected promise its callers handle; dropping `async` would change that.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Row values are `unknown` (pg and PGlite give text and bigint columns as strings or numbers);
    // a null check narrows them to `{}`, which this rule flags although String() of them is the intent.
    files: ['src/db/**'],
    rules: { '@typescript-eslint/no-base-to-string': 'off' },
  },
  {
    // React ignores what an event handler returns; the console's async handlers catch and show
    // their own errors, so a promise handed to onSubmit/onClick is not a lost rejection.
    files: ['src/console/**'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }] },
  },
  {
    // Tests keep the type-checked rules that find real mistakes (a missed await, an unbound method,
    // a needless assertion) but not the `any` family: they read JSON answers and fake platform
    // payloads as `any` on purpose, and their assertions check the shape at run time, which is
    // the point of the test. Fakes implement async ports without awaiting anything.
    files: ['tests/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes stringify fields of parsed platform JSON whose shape the test itself pins.
      '@typescript-eslint/no-base-to-string': 'off',
      // node:test awaits the promises test() and describe() return; every other promise must be handled.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
    },
  },
  {
    // Plain-JS files (scripts/*.mjs, this file, the cruiser config) have no types to check.
    files: ['**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: nodeGlobals },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
