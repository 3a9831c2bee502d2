// The package's `version` export and package.json agree with the one version
// source, [workspace.package] version in the repository's Cargo.toml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { version } from '../pkg/index.mjs';

const repoFile = (path) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

test('version is the Cargo workspace version', () => {
  const section = repoFile('Cargo.toml').split('[workspace.package]')[1].split('\n[')[0];
  const declared = /^version\s*=\s*"([^"]+)"/m.exec(section);
  assert.ok(declared, 'no version in [workspace.package]');
  assert.equal(version, declared[1]);
  assert.equal(JSON.parse(readFileSync(new URL('../pkg/package.json', import.meta.url), 'utf8')).version, version);
  assert.equal(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version, version);
  assert.equal(createRequire(import.meta.url)('../pkg/index.cjs').version, version);
});
