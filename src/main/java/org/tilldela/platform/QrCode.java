package org.tilldela.platform;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.util.Map;

/**
 * A QR code as SVG — a pupil's sign-in card (sso), an administrator's authenticator app (governance): ZXing
 * encodes (error correction M, so a worn card still scans), and the dark modules
 * become one path, drawn crisp at any print size. {@code size} is the number of modules a side; the page
 * adds the quiet zone around it.
 */
public record QrCode(int size, String path) {

    public static QrCode of(String text) {
        try {
            BitMatrix matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
                    Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 0, EncodeHintType.CHARACTER_SET, "UTF-8"));
            StringBuilder path = new StringBuilder();
            for (int y = 0; y < matrix.getHeight(); y++) {
                for (int x = 0; x < matrix.getWidth(); x++) {
                    if (matrix.get(x, y)) {
                        path.append('M').append(x).append(' ').append(y).append("h1v1h-1z");
                    }
                }
            }
            return new QrCode(matrix.getWidth(), path.toString());
        } catch (WriterException e) {
            throw new IllegalArgumentException("cannot encode as a QR code", e);
        }
    }

    /** The SVG viewBox with a quiet zone of four modules on every side (ISO/IEC 18004). */
    public String viewBox() {
        return "-4 -4 " + (size + 8) + " " + (size + 8);
    }
}
