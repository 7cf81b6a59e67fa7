import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries (Nx tags): services depend only on libs; libs never on
 * services; contracts depend on nothing of ours. Domain folders stay free of
 * frameworks and infrastructure.
 */
export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // The e2e suite and the tools share the local runner, and CI's subset of the chaos drills, on purpose (tools/ is not a project).
          allow: ['^(\\.\\./)+tools/runner/[a-z-]+\\.ts$', '^(\\.\\./)+tools/chaos/[a-z/-]+\\.(ts|js)$'],
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: ['scope:contracts'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            // The browser bundle may use the shared contracts and nothing else of ours.
            { sourceTag: 'type:web', onlyDependOnLibsWithTags: ['scope:contracts'] },
          ],
        },
      ],
    },
  },
  {
    // The Kafka client is spoken in libs/messaging alone, behind its port (ADR 0024): elsewhere code holds the
    // opaque `Broker` and calls the library, so replacing the client stays a change in one library. typescript-eslint's
    // copy of no-restricted-imports, so that the layers' own rule below, on the same files, does not replace this one.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.js', '**/*.mjs'],
    ignores: ['libs/messaging/src/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@platformatic/kafka', '@platformatic/kafka/*', 'kafkajs', 'kafkajs/*'],
              message: 'The Kafka client stays inside libs/messaging: use its port (Broker, TopicReader, RecordPublisher, topicOffsets, ...).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['services/*/src/domain/**/*.ts', 'libs/event-store/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', 'pg', '@platformatic/kafka', 'kafkajs', 'ioredis', 'fastify', '@shopfront/runtime', '@shopfront/messaging', '@shopfront/postgres', '@shopfront/http'], message: 'Domain code is pure: no frameworks or infrastructure.' },
            { group: ['../infra/*', '../app/*'], message: 'Domain code does not depend on app or infra.' },
          ],
        },
      ],
    },
  },
  {
    // Ports and adapters: the app layer declares what it needs (src/app/ports.ts) and infra implements it,
    // so app code never names an adapter; infra may call the app (controllers, consumers, pollers).
    files: ['services/*/src/app/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/infra/*', '**/infra/**'], message: 'The app layer reaches infrastructure only through its ports (src/app/ports.ts), which infra implements.' },
          ],
        },
      ],
    },
  },
  {
    // The package root brings node:crypto and Buffer (card sealing, the Kafka codec), which a browser has not:
    // a page importing it builds, then dies at load with "Buffer is not defined".
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@shopfront/contracts', message: "Import '@shopfront/contracts/web', the browser-safe entry." }] },
      ],
    },
  },
];
