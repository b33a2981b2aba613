// Seals a member's Slack user token before it reaches the store: AES-256-GCM with a key derived from the app's
// client secret, bound to the workspace and member, so a store dump alone reveals no token and a sealed token
// copied under another member does not open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const version = 'v1'

function keyFrom(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'hyperalign', 'slack user token seal v1', 32))
}

export function sealToken(secret: string, owner: string, token: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret), iv)
  cipher.setAAD(Buffer.from(owner))
  const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()])
  return [version, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.')
}

/** The token, or undefined when the seal does not open (another secret, another owner, or tampered). */
export function openToken(secret: string, owner: string, sealed: string): string | undefined {
  const [tag, iv, authTag, body] = sealed.split('.')
  if (tag !== version || !iv || !authTag || !body) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(owner))
    decipher.setAuthTag(Buffer.from(authTag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    return undefined
  }
}
