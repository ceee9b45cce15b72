import type { Sensitivity } from '../../catalog/catalog.schema.js';
import type { RequestStatus } from '../requests/requests.table.js';

/** What a message about a request needs to say; built from the database, never from a button. */
export interface RequestView {
  id: string;
  dataset: { id: string; name: string; sensitivity: Sensitivity };
  requesterId: string;
  durationMinutes: number;
  reason: string | null;
  status: RequestStatus;
  createdAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  denyReason: string | null;
  approverIds: string[];
  grantEndsAt: Date | null;
}

export interface GrantView {
  id: string;
  userId: string;
  dataset: { id: string; name: string };
  endsAt: Date;
}

export interface MessageRef {
  channelId: string;
  ts: string;
}

/** The port through which use cases speak to people. The Slack implementation is in src/slack/. */
export interface Notifier {
  askApprover(approverId: string, request: RequestView): Promise<MessageRef>;
  updateApproverMessage(ref: MessageRef, request: RequestView): Promise<void>;
  confirmRequestReceived(request: RequestView): Promise<void>;
  tellRequesterOfDecision(request: RequestView): Promise<void>;
  tellGrantExpired(grant: GrantView): Promise<void>;
}

/** Thrown by a Notifier when retrying cannot help (the user is gone, the message is malformed). */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}
