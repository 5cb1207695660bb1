// socket.io adapter for VPN login forms: vpn:answer answers the user's waiting prompt (as POST /vpn/prompt/answer).
import { VpnPromptAnswerBody } from '../contracts/vpn.js';
import { handleEvent, type SocketModule } from '../transport/socket-server.js';
import type { VpnPrompts } from './vpn-prompts.js';

export function vpnSocket(prompts: VpnPrompts): SocketModule {
  return (ctx) => {
    ctx.socket.on(
      'vpn:answer',
      handleEvent(ctx, VpnPromptAnswerBody, (payload) => {
        prompts.answer(ctx.userId(payload.user_id), payload.prompt_id, payload.answers);
        return { status: 'answered' as const };
      }),
    );
  };
}
