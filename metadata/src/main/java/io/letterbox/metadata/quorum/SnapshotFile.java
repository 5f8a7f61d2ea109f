package io.letterbox.metadata.quorum;

import io.letterbox.metadata.image.ImageRecords;
import io.letterbox.metadata.image.MetadataDelta;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.record.CorruptRecordException;
import io.letterbox.metadata.record.RecordCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A metadata image on disk: the image restated as one record batch.
 *
 * <pre>
 * int32 magic 0x4C42534E ("LBSN") | int16 version (=0) | int64 image offset
 * | int32 batchLength | batch (see RecordCodec) | int32 CRC32C of all preceding bytes
 * </pre>
 *
 * <p>{@link #write} is atomic and durable: the bytes go to a temporary file that is fsynced and
 * then renamed over the target, so a reader sees either no file or a whole one.
 */
public final class SnapshotFile {
    static final int MAGIC = 0x4C42534E;
    static final short VERSION = 0;
    private static final int HEADER = 4 + 2 + 8 + 4;

    private SnapshotFile() {
    }

    public static void write(Path file, MetadataImage image) throws IOException {
        byte[] batch = RecordCodec.encodeBatch(ImageRecords.of(image));
        ByteBuffer buf = ByteBuffer.allocate(HEADER + batch.length + 4);
        buf.putInt(MAGIC).putShort(VERSION).putLong(image.offset()).putInt(batch.length).put(batch);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        buf.flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** @throws CorruptRecordException if the file is not a whole, intact snapshot */
    public static MetadataImage read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < HEADER + 4) {
            throw new CorruptRecordException("Snapshot " + file + " is too short: " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (buf.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new CorruptRecordException("Snapshot " + file + " fails its checksum");
        }
        if (buf.getInt() != MAGIC) {
            throw new CorruptRecordException("Snapshot " + file + " has a bad magic number");
        }
        short version = buf.getShort();
        if (version != VERSION) {
            throw new CorruptRecordException("Snapshot " + file + " has unknown version " + version);
        }
        long offset = buf.getLong();
        int length = buf.getInt();
        if (length != bytes.length - HEADER - 4) {
            throw new CorruptRecordException("Snapshot " + file + " has a bad batch length " + length);
        }
        ByteBuffer batch = buf.slice(HEADER, length);
        return new MetadataDelta(MetadataImage.EMPTY).replayAll(RecordCodec.decodeBatch(batch)).apply(offset);
    }
}
