-- The catalogue's version also counts every change to what makes a supplier whole: its processing countries,
-- sub-processors, processing agreements (PUB-avtal / databehandleraftaler) and the organisers these cover. The
-- release policy keeps a product and its supplier per catalogue version (ReleasePolicy), so a change to any of
-- them must be a new version, also one made without touching the supplier's own row.
create trigger supplier_processing_country_changed after insert or update or delete on supplier_processing_country
    for each statement execute function catalog_changed();
create trigger sub_processor_changed after insert or update or delete on sub_processor
    for each statement execute function catalog_changed();
create trigger processing_agreement_changed after insert or update or delete on processing_agreement
    for each statement execute function catalog_changed();
create trigger processing_agreement_organiser_changed after insert or update or delete on processing_agreement_organiser
    for each statement execute function catalog_changed();
