package io.letterbox.cli.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A text table for terminals: a header row in capitals, columns two spaces apart, each as wide as
 * its widest cell; columns of numbers right-aligned, text left-aligned, {@code null} shown as {@code -}.
 * Not thread-safe.
 */
public final class Table {

    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?");

    private final List<String> headers;
    private final List<Object[]> rows = new ArrayList<>();

    public Table(List<String> headers) {
        this.headers = List.copyOf(headers);
    }

    public Table(String... headers) {
        this(List.of(headers));
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells for " + headers.size() + " columns");
        }
        rows.add(cells.clone());
        return this;
    }

    public int size() {
        return rows.size();
    }

    public void print(PrintWriter out) {
        int[] width = new int[headers.size()];
        boolean[] numeric = new boolean[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
            numeric[c] = !rows.isEmpty();
        }
        for (Object[] row : rows) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], text(row[c]).length());
                numeric[c] &= isNumber(row[c]);
            }
        }
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < width.length; c++) {
            cell(line, headers.get(c).toUpperCase(java.util.Locale.ROOT), width[c], numeric[c], c == width.length - 1);
        }
        out.println(line.toString().stripTrailing());
        for (Object[] row : rows) {
            line.setLength(0);
            for (int c = 0; c < width.length; c++) {
                cell(line, text(row[c]), width[c], numeric[c], c == width.length - 1);
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static void cell(StringBuilder line, String text, int width, boolean right, boolean last) {
        String pad = " ".repeat(width - text.length());
        line.append(right ? pad + text : text + pad);
        if (!last) {
            line.append("  ");
        }
    }

    /** Numbers, and text that is a number (already formatted), are right-aligned; null goes with either. */
    private static boolean isNumber(Object cell) {
        return cell == null || cell instanceof Number || NUMBER.matcher(cell.toString()).matches();
    }

    private static String text(Object cell) {
        return cell == null ? "-" : cell.toString();
    }
}
