import type { types } from '@slack/bolt'
type B = types.KnownBlock
const b: B = { type: 'divider' }
console.log(b)
