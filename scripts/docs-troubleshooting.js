#!/usr/bin/env node
// Writes docs/troubleshooting.md from the doctor's checks (app/main/doctor): `npm run docs:troubleshooting`
// (builds the main process first). app/main/doctor/troubleshooting.test.ts fails when the file is out of date.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const { troubleshootingMarkdown } = require(path.join(root, 'build/app/main/doctor/troubleshooting.js'))
const file = path.join(root, 'docs/troubleshooting.md')
fs.writeFileSync(file, troubleshootingMarkdown())
console.log(`wrote ${path.relative(root, file)}`)
