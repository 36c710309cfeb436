package org.tilldela.platform;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * The PDF reports' one way of writing (a person's disclosure report, the record of processing activities): lines top
 * to bottom on A4, wrapped at the margin, a new page when one is full, in standard Helvetica (Latin-1: Swedish and
 * Danish print; what the font cannot show becomes '?', so a name in another script does not break the document).
 */
public final class PdfPages {

    private static final float MARGIN = 50;
    private static final float WIDTH = PDRectangle.A4.getWidth() - 2 * MARGIN;

    public final PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    public final PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
    private final PDDocument doc;
    private PDPageContentStream content;
    private float y;

    public PdfPages(PDDocument doc) throws IOException {
        this.doc = doc;
        newPage();
    }

    private void newPage() throws IOException {
        if (content != null) {
            content.close();
        }
        PDPage page = new PDPage(PDRectangle.A4);
        doc.addPage(page);
        content = new PDPageContentStream(doc, page);
        y = PDRectangle.A4.getHeight() - MARGIN;
    }

    /** Space before the next line, in points. */
    public void gap(float points) {
        y -= points;
    }

    /** "label: value" in the regular face, 10 pt; a missing value as "-". */
    public void field(String label, String value) throws IOException {
        line(regular, 10, label + ": " + (value == null ? "-" : value));
    }

    public void line(PDType1Font font, float size, String text) throws IOException {
        for (String part : wrap(font, size, printable(font, text))) {
            if (y - size * 1.3f < MARGIN) {
                newPage();
            }
            y -= size * 1.3f;
            content.beginText();
            content.setFont(font, size);
            content.newLineAtOffset(MARGIN, y);
            content.showText(part);
            content.endText();
        }
    }

    /** Ends the last page; the document is then ready to save. */
    public void close() throws IOException {
        content.close();
    }

    private static List<String> wrap(PDType1Font font, float size, String text) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = current.isEmpty() ? word : current + " " + word;
            if (!current.isEmpty() && font.getStringWidth(candidate) / 1000 * size > WIDTH) {
                lines.add(current.toString());
                current = new StringBuilder(word);
            } else {
                current = new StringBuilder(candidate);
            }
        }
        lines.add(current.toString());
        return lines;
    }

    private static String printable(PDType1Font font, String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            String c = Character.toString(cp);
            try {
                font.encode(c);
                out.append(c);
            } catch (IOException | IllegalArgumentException e) {
                out.append('?');
            }
        });
        return out.toString();
    }
}
