// Transpiles src/ to JavaScript (no type check) in a throw-away directory inside the repo, so
// tests can run the real `brook` command as a child process without `npm run build`.
// Lives under the repo so that node_modules resolves; `.brook-test-*` is git-ignored.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface Build {
  /** path of the built cli/main.js */
  cliPath: string
  distDir: string
  remove(): void
}

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* tsFiles(path)
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path
  }
}

export function buildForTests(): Build {
  const root = join(REPO_ROOT, `.brook-test-build-${process.pid}-${Date.now()}`)
  const srcDir = join(REPO_ROOT, 'src')
  const distDir = join(root, 'dist')
  for (const file of tsFiles(srcDir)) {
    const out = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: false },
    })
    const target = join(distDir, relative(srcDir, file)).replace(/\.ts$/, '.js')
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, out.outputText)
  }
  copyFileSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'))
  return {
    cliPath: join(distDir, 'cli', 'main.js'),
    distDir,
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}
