package io.letterbox.metadata.controller;

import org.apache.kafka.clients.admin.AlterConfigOp;

/**
 * One incremental config change. APPEND and SUBTRACT treat the value as a comma-separated list:
 * APPEND adds the items not yet present, SUBTRACT removes the given items. DELETE ignores the value.
 */
public record ConfigOp(String key, AlterConfigOp.OpType op, String value) {
}
