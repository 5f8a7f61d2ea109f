package io.letterbox.metadata.record;

/**
 * The kinds of metadata record, with their stable wire ids and the newest version this code
 * writes. Ids are never reused; a new field means a new version of the same type.
 */
public enum RecordType {
    CLUSTER_ID(1, 0),
    REGISTER_BROKER(2, 0),
    TOPIC(3, 0),
    PARTITION(4, 1),
    PARTITION_CHANGE(5, 1),
    REMOVE_TOPIC(6, 0),
    CONFIG(7, 0),
    PRODUCER_IDS(8, 0),
    BROKER_FENCING(9, 0);

    private final short id;
    private final short version;

    RecordType(int id, int version) {
        this.id = (short) id;
        this.version = (short) version;
    }

    public short id() {
        return id;
    }

    /** The version this code writes, and the highest it can read. */
    public short version() {
        return version;
    }

    /** @throws CorruptRecordException if no type has this id */
    public static RecordType forId(short id) {
        for (RecordType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new CorruptRecordException("Unknown metadata record type id " + id);
    }
}
