/** Every action, callback and block id the bot uses, named once. */
export const ACTION_IDS = {
  approve: 'request_approve',
  deny: 'request_deny',
  formDataset: 'form_dataset',
  formDuration: 'form_duration',
  formReason: 'form_reason',
  denyReason: 'deny_reason_input',
  taskDone: 'task_done',
  extendGrant: 'grant_extend',
  releaseGrant: 'grant_release',
  cancelRequest: 'request_cancel',
  openRequestForm: 'open_request_form',
  extendDuration: 'extend_duration',
  extendReason: 'extend_reason',
  nudgeFixed: 'nudge_fixed',
  ackCheckbox: 'ack_checkbox',
  reviewKeep: 'review_keep',
  reviewRevoke: 'review_revoke',
  reviewKeepAll: 'review_keep_all',
  reviewRevokeAll: 'review_revoke_all',
  auditOlder: 'audit_older',
} as const;

export const CALLBACK_IDS = {
  requestForm: 'request_form',
  denyForm: 'deny_form',
  extendForm: 'extend_form',
  ackForm: 'ack_form',
} as const;

export const BLOCK_IDS = {
  decision: 'request_decision',
  formDataset: 'form_dataset_block',
  formDuration: 'form_duration_block',
  formReason: 'form_reason_block',
  denyReason: 'deny_reason_block',
  extendDuration: 'extend_duration_block',
  extendReason: 'extend_reason_block',
  ackCheckbox: 'ack_checkbox_block',
} as const;

export const COMMAND = '/access';
