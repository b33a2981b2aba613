// The HTTP front door of /slack/events, in front of Bolt's receiver: reads the body (size-limited), checks the
// signature and the timestamp both ways, parses it and checks its shape, and answers a failing request at once
// (401, 400 or 413, with a log line that carries the reason, never the body). Only well-formed requests reach Bolt.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { Logger } from '../../src/logger.js'
import { checkSlackPayload } from './slack-payload-shape.js'
import { checkSlackSignature, isSslCheck, parseSlackBody, readRequestBody } from './slack-request-verification.js'

/** Bolt's own default limit for a request body. */
export const slackBodyLimit = 4 * 1024 * 1024

type BufferedRequest = IncomingMessage & { rawBody?: Buffer }

export type HttpScreenOptions = { signingSecret: string; endpoint: string; logger: Logger; clock?: () => number }

/** Wraps Bolt's request listener: requests to other paths pass untouched (health check, OAuth callback). */
export function screenSlackRequests(handOn: RequestListener, options: HttpScreenOptions): RequestListener {
  return (request, response) => {
    if (request.method !== 'POST' || pathOf(request.url) !== options.endpoint) {
      handOn(request, response)
      return
    }
    screen(request as BufferedRequest, response, options)
      .then((passed) => {
        if (passed) handOn(request, response)
      })
      .catch((error: unknown) => {
        options.logger.error('slack_request_failed', { error })
        if (!response.headersSent) response.writeHead(500).end()
      })
  }
}

function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname
  } catch {
    return undefined
  }
}

async function screen(request: BufferedRequest, response: ServerResponse, options: HttpScreenOptions): Promise<boolean> {
  const rawBody = await readRequestBody(request, slackBodyLimit)
  if (rawBody === 'too_large') {
    options.logger.warn('slack_request_rejected', { reason: 'body_too_large', limitBytes: slackBodyLimit })
    response.writeHead(413, { connection: 'close' }).end()
    return false
  }
  // Bolt reads the body from here instead of the (already consumed) stream.
  request.rawBody = rawBody
  const contentType = request.headers['content-type']
  // Slack sends ssl_check unsigned; Bolt answers it and drops anything else in that body.
  if (isSslCheck(rawBody, contentType)) return true

  const signature = checkSlackSignature({
    signingSecret: options.signingSecret,
    rawBody,
    timestampHeader: request.headers['x-slack-request-timestamp'],
    signatureHeader: request.headers['x-slack-signature'],
    nowMs: options.clock?.(),
  })
  if (!signature.ok) {
    options.logger.warn('slack_request_rejected', { reason: signature.reason })
    response.writeHead(401).end()
    return false
  }

  const parsed = parseSlackBody(rawBody, contentType)
  const shape = parsed.ok ? checkSlackPayload(parsed.body) : { ok: false as const, payloadType: 'unknown', problem: '(body): not JSON' }
  if (!shape.ok) {
    options.logger.warn('slack_request_malformed', { payloadType: shape.payloadType, problem: shape.problem })
    // Retrying the same bytes cannot help; Slack honours this header for events.
    response.writeHead(400, { 'x-slack-no-retry': '1' }).end()
    return false
  }
  return true
}
