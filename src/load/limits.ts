/** Seconds a document's load waits for a lock held by another session (PipelineConfig.lockTimeoutSeconds). */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 30;
