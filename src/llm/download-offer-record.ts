// Remembers that the first-start download offer was answered (a small file in the model directory), so `npm start`
// asks once, not on every start. It records only the answer and when; it never decides to download anything.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const fileName = '.download-offer-answered'

export type DownloadOfferRecord = {
  answered(): boolean
  record(answer: 'yes' | 'no'): void
}

export function downloadOfferRecord(modelDirectory: string): DownloadOfferRecord {
  const file = path.join(modelDirectory, fileName)
  return {
    answered: () => existsSync(file),
    record(answer) {
      mkdirSync(modelDirectory, { recursive: true })
      writeFileSync(file, `${JSON.stringify({ answer, at: new Date().toISOString() })}\n`)
    },
  }
}
