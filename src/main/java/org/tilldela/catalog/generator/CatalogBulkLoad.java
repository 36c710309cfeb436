package org.tilldela.catalog.generator;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.postgresql.PGConnection;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;

/**
 * Loads a generated catalogue fast: suppliers through {@link Catalog}, products and declarations with
 * client-side {@code COPY … FROM STDIN} in chunks (the search triggers run per row as usual).
 */
@Component
public class CatalogBulkLoad {

    private static final int CHUNK = 5_000;

    private final Catalog catalog;
    private final DataSource dataSource;

    CatalogBulkLoad(Catalog catalog, DataSource dataSource) {
        this.catalog = catalog;
        this.dataSource = dataSource;
    }

    @Transactional
    public void load(List<Supplier> suppliers, int products, IntFunction<Product> product) {
        suppliers.forEach(catalog::save);
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            var copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (int from = 0; from < products; from += CHUNK) {
                StringBuilder productRows = new StringBuilder(CHUNK * 600);
                StringBuilder needRows = new StringBuilder(CHUNK * 400);
                try (CSVPrinter p = new CSVPrinter(productRows, CSVFormat.POSTGRESQL_CSV);
                     CSVPrinter n = new CSVPrinter(needRows, CSVFormat.POSTGRESQL_CSV)) {
                    for (int i = from; i < Math.min(products, from + CHUNK); i++) {
                        Product x = product.apply(i);
                        p.printRecord(x.id(), x.articleNumber(), x.supplierId(), x.title(), x.description(), x.kind().name(),
                                array(x.schoolForms()), array(x.grades()), array(x.subjects()), x.licenceModel().name(), x.licencePeriodMonths(),
                                x.price(), x.currency(), x.trialDays(), x.accessMethod().name());
                        for (Product.DataNeed d : x.dataNeeds()) {
                            n.printRecord(x.id(), d.attribute().name(), d.purpose(), d.retentionDays(), array(d.processingCountries().stream().sorted().toList()));
                        }
                    }
                }
                copy.copyIn("""
                        copy product (id, article_number, supplier_id, title, description, kind, school_forms, grades, subjects, licence_model,
                                      licence_period_months, price, currency, trial_days, access_method) from stdin with (format csv)
                        """, new StringReader(productRows.toString()));
                copy.copyIn("copy product_data_need (product_id, attribute, purpose, retention_days, processing_countries) from stdin with (format csv)",
                        new StringReader(needRows.toString()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("bulk load failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    /** A PostgreSQL array literal, every element quoted. */
    private static String array(List<String> values) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append('}').toString();
    }
}
