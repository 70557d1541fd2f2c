//! One record batch → line items → the aggregator: the batch's typed columns, each row's day,
//! amounts and tags checked (a bad row is counted as malformed, never fatal), and rows whose
//! classified texts were seen before added by template.

use arrow_array::{ArrayRef, RecordBatch};

use super::columns::{Amount, Days, TagMap, Text};
use super::identity::Identity;
use crate::cur::columns::{FIELDS, Field};
use crate::cur::line_item::{ColumnSet, LineItem};
use crate::cur::money::Money;
use crate::cur::time::Day;
use crate::facts::Aggregator;
use crate::source::error::SourceError;
use crate::source::read_csv::ColumnMap;

/// The columns of one batch curtop reads, typed.
struct BatchColumns<'a> {
    line_item_type: Text<'a>,
    account: Text<'a>,
    product: Text<'a>,
    usage_type: Text<'a>,
    operation: Text<'a>,
    resource: Text<'a>,
    description: Text<'a>,
    ri_arn: Text<'a>,
    parent: Text<'a>,
    provider: Text<'a>,
    currency: Text<'a>,
    account_name: Text<'a>,
    charge_class: Text<'a>,
    /// Who the rows are from when the table does not say (`ColumnMap::default_provider`).
    default_provider: &'static str,
    /// A FOCUS table: its tag keys take a mapping's key rule.
    focus: bool,
    days: Days<'a>,
    /// The money columns present, by field.
    amounts: Vec<(Field, Amount<'a>)>,
    /// Per wanted tag, its flat columns (legacy CUR), first non-empty wins.
    tag_cols: Vec<Vec<Text<'a>>>,
    /// CUR 2.0's `resource_tags`.
    tag_map: TagMap<'a>,
}

impl<'a> BatchColumns<'a> {
    /// The typed columns of `batch`; `pos` gives a projected column's position in the batch.
    fn of(
        batch: &'a RecordBatch,
        map: &ColumnMap,
        pos: &dyn Fn(usize) -> Option<usize>,
        file: &str,
    ) -> Result<Self, SourceError> {
        let unreadable = |reason: String| SourceError::Unreadable {
            file: file.to_string(),
            reason,
        };
        let col = |f: Field| -> Option<&'a ArrayRef> {
            map.col(f).and_then(pos).map(|i| batch.column(i))
        };
        let text = |f: Field| {
            Text::of(col(f)).map_err(|e| unreadable(format!("{}: {e}", f.column_name())))
        };
        let line_item_type = text(Field::LineItemType)?;
        let account = text(Field::UsageAccountId)?;
        let product = text(Field::ProductCode)?;
        let usage_type = text(Field::UsageType)?;
        let operation = text(Field::Operation)?;
        let resource = text(Field::ResourceId)?;
        let description = text(Field::LineItemDescription)?;
        let ri_arn = text(Field::ReservationArn)?;
        let parent = text(Field::SplitParentResourceId)?;
        let provider = text(Field::ProviderName)?;
        let currency = text(Field::BillingCurrency)?;
        let account_name = text(Field::SubAccountName)?;
        let charge_class = text(Field::ChargeClass)?;
        let days = match col(Field::UsageStartDate) {
            Some(a) => {
                Days::of(a).map_err(|e| unreadable(format!("line_item_usage_start_date: {e}")))?
            }
            None => return Err(unreadable("no usage start date column".into())),
        };
        let mut amounts: Vec<(Field, Amount<'_>)> = Vec::new();
        for (f, _) in FIELDS.iter().filter(|(f, _)| f.is_number()) {
            if let Some(a) = col(*f) {
                amounts.push((
                    *f,
                    Amount::of(a).map_err(|e| unreadable(format!("{}: {e}", f.column_name())))?,
                ));
            }
        }
        let tag_cols: Vec<Vec<Text<'_>>> = map
            .tags
            .iter()
            .map(|cols| {
                cols.iter()
                    .map(|&c| Text::of(pos(c).map(|i| batch.column(i))))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<_, _>>()
            .map_err(|e| unreadable(format!("tag column: {e}")))?;
        let tag_map = TagMap::of(col(Field::ResourceTagsMap))
            .map_err(|e| unreadable(format!("resource_tags: {e}")))?;
        Ok(Self {
            line_item_type,
            account,
            product,
            usage_type,
            operation,
            resource,
            description,
            ri_arn,
            parent,
            provider,
            currency,
            account_name,
            charge_class,
            default_provider: map.default_provider(),
            focus: map.focus,
            days,
            amounts,
            tag_cols,
            tag_map,
        })
    }

    /// The texts classification reads, in a fixed order (the identity of a template).
    fn classified(&self) -> Vec<&Text<'a>> {
        [
            &self.line_item_type,
            &self.operation,
            &self.product,
            &self.resource,
            &self.parent,
            &self.account,
            &self.usage_type,
            &self.provider,
            &self.currency,
            &self.account_name,
        ]
        .into_iter()
        .chain(self.tag_cols.iter().flatten())
        .collect()
    }

    /// Row `row` as a line item with its day, type and amounts (texts not yet filled), and
    /// (`map_tags`) its tags from a map column; `None` when the row is outside the window or
    /// malformed (counted as such, `line` naming it).
    fn line_item(
        &self,
        row: usize,
        line: u64,
        file: &str,
        map_tags: bool,
        agg: &mut Aggregator<'_>,
    ) -> Option<(LineItem<'a>, Vec<(String, String)>)> {
        let Some(day) = self.days.get(row) else {
            agg.quality().malformed(
                file,
                line,
                "line_item_usage_start_date is empty or not a date",
            );
            return None;
        };
        if !agg.wants_day(day) {
            agg.quality().rows_outside_window += 1;
            return None;
        }
        let line_item_type = self.line_item_type.get(row);
        if line_item_type.is_empty() {
            agg.quality()
                .malformed(file, line, "line_item_line_item_type is empty");
            return None;
        }
        let mut li = LineItem::new(day, line_item_type, Money::ZERO);
        li.amounts[Field::UnblendedCost.index()] = None;
        match self.amounts_and_map_tags(row, map_tags, &mut li) {
            Ok(json) => Some((li, json)),
            Err(reason) => {
                agg.quality().malformed(file, line, reason);
                None
            }
        }
    }

    /// Reads the row's amounts into `li` and (`map_tags`) its map tags; the first bad amount
    /// (or a missing unblended cost) wins over a bad tag map as the reason.
    fn amounts_and_map_tags(
        &self,
        row: usize,
        map_tags: bool,
        li: &mut LineItem<'_>,
    ) -> Result<Vec<(String, String)>, String> {
        let mut failed = None;
        for (f, a) in &self.amounts {
            match a.get(row) {
                Ok(v) => li.amounts[f.index()] = v,
                Err(e) => {
                    failed = Some(format!("{} {e}", f.column_name()));
                    break;
                }
            }
        }
        if failed.is_none() && li.amount(Field::UnblendedCost).is_none() {
            failed = Some("line_item_unblended_cost is empty".into());
        }
        if !map_tags {
            return failed.map_or(Ok(Vec::new()), Err);
        }
        let json = match self.tag_map.entries(row, self.focus) {
            Ok(j) => j,
            Err(e) => {
                failed.get_or_insert(e);
                Vec::new()
            }
        };
        match failed {
            Some(reason) => Err(reason),
            None => Ok(json),
        }
    }

    /// Fills the texts of row `row` that classification and the facts read.
    fn fill_texts(&self, row: usize, li: &mut LineItem<'a>) {
        li.account = self.account.get(row);
        li.account_name = self.account_name.get(row);
        li.product_code = self.product.get(row);
        li.usage_type = self.usage_type.get(row);
        li.operation = self.operation.get(row);
        li.resource_id = self.resource.get(row);
        li.description = self.description.get(row);
        li.reservation_arn = self.ri_arn.get(row);
        li.split_parent = self.parent.get(row);
        li.provider = self.provider.get(row);
        if li.provider.is_empty() {
            li.provider = self.default_provider;
        }
    }

    /// The wanted tags' values of row `row`, aligned with `wanted`: a flat column's value, else
    /// the map's, else empty.
    fn tags<'r>(
        &'r self,
        row: usize,
        json: &'r [(String, String)],
        wanted: &[String],
    ) -> Vec<&'r str> {
        self.tag_cols
            .iter()
            .enumerate()
            .map(|(t, cols)| {
                cols.iter()
                    .map(|c| c.get(row))
                    .find(|v| !v.is_empty())
                    .or_else(|| {
                        json.iter()
                            .find(|(k, _)| *k == wanted[t])
                            .map(|(_, v)| v.as_str())
                    })
                    .unwrap_or("")
            })
            .collect()
    }
}

/// A batch's money columns (aligned with the batch's `amounts`) and usage start days,
/// converted a column at a time, kept across batches so their buffers are allocated once per
/// part.
#[derive(Default)]
pub(super) struct BatchAmounts {
    values: Vec<Vec<Option<Money>>>,
    /// The rows' usage start days (`None`: empty or not a date).
    days: Vec<Option<Day>>,
    /// Rows with an amount that does not convert: they take the row-by-row path, which says
    /// why.
    bad: Vec<bool>,
}

impl BatchAmounts {
    fn convert(&mut self, cols: &BatchColumns<'_>, rows: usize) {
        self.bad.clear();
        self.bad.resize(rows, false);
        self.values.resize_with(cols.amounts.len(), Vec::new);
        for ((_, a), out) in cols.amounts.iter().zip(&mut self.values) {
            a.convert(rows, out, &mut self.bad);
        }
        cols.days.convert(rows, &mut self.days);
    }

    fn bad(&self, row: usize) -> bool {
        self.bad.get(row).copied().unwrap_or(true)
    }
}

impl<'a> BatchColumns<'a> {
    /// Row `row` into `li` (whose other texts stay as they are: templated rows read only its
    /// day, type and amounts) from the converted `amounts`, none of them bad; `false` when
    /// the row is outside the window or malformed (counted as [`BatchColumns::line_item`]
    /// counts it).
    fn templated_line_item(
        &self,
        row: usize,
        line: u64,
        file: &str,
        amounts: &BatchAmounts,
        li: &mut LineItem<'a>,
        agg: &mut Aggregator<'_>,
    ) -> bool {
        let Some(day) = amounts.days.get(row).copied().flatten() else {
            agg.quality().malformed(
                file,
                line,
                "line_item_usage_start_date is empty or not a date",
            );
            return false;
        };
        if !agg.wants_day(day) {
            agg.quality().rows_outside_window += 1;
            return false;
        }
        let line_item_type = self.line_item_type.get(row);
        if line_item_type.is_empty() {
            agg.quality()
                .malformed(file, line, "line_item_line_item_type is empty");
            return false;
        }
        li.day = day;
        li.line_item_type = line_item_type;
        for ((f, _), values) in self.amounts.iter().zip(&amounts.values) {
            li.amounts[f.index()] = values.get(row).copied().flatten();
        }
        if li.amount(Field::UnblendedCost).is_none() {
            agg.quality()
                .malformed(file, line, "line_item_unblended_cost is empty");
            return false;
        }
        li.reservation_arn = self.ri_arn.get(row);
        li.currency = self.currency.get(row);
        li.charge_class = self.charge_class.get(row);
        true
    }
}

/// Reads one batch into the aggregator. `row_base` is the part's row number of its first row.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_batch(
    batch: &RecordBatch,
    map: &ColumnMap,
    pos: &dyn Fn(usize) -> Option<usize>,
    wanted: &[String],
    file: &str,
    row_base: u64,
    identity: &mut Identity,
    amounts: &mut BatchAmounts,
    agg: &mut Aggregator<'_>,
) -> Result<(), SourceError> {
    let cols = BatchColumns::of(batch, map, pos, file)?;
    let columns = map.columns;
    // Rows equal on every classified text (and wanted tag of a CUR 2.0 map) are classified
    // once. Tags in a JSON text column take the row-by-row path.
    let classified = cols.classified();
    let templated = !matches!(cols.tag_map, TagMap::Json(_));
    let rows = batch.num_rows();
    // The templates of the batch's rows already seen, looked up in one tight pass: the
    // lookups miss the cache, and apart from the per-row work below they overlap.
    let mut known: Vec<Option<u32>> = Vec::new();
    if templated {
        identity.prepare(&classified, &cols.tag_map, cols.focus, wanted, rows);
        agg.templates_of_hashed(identity.hashes(), |r| identity.key(r), &mut known);
        amounts.convert(&cols, rows);
    }

    // One row at another hour than midnight is enough to know the report is hourly.
    if !agg.quality().sub_daily_seen && (0..rows).any(|r| cols.days.sub_daily(r)) {
        agg.quality().sub_daily_seen = true;
    }
    // The line item of templated rows, its fields overwritten row by row: only the day, type,
    // amounts, reservation ARN, currency and charge class are read by template.
    let mut base = LineItem::new(0, "", Money::ZERO);
    base.amounts[Field::UnblendedCost.index()] = None;
    for row in 0..rows {
        let line = row_base + row as u64 + 1;
        agg.quality().rows_read += 1;
        if templated && !amounts.bad(row) {
            if !cols.templated_line_item(row, line, file, amounts, &mut base, agg) {
                continue;
            }
            let known = known.get(row).copied().flatten();
            templated_row(&cols, row, &base, identity, known, wanted, &columns, agg);
        } else {
            row_by_row(
                &cols, row, line, file, templated, identity, wanted, &columns, agg,
            );
        }
    }
    Ok(())
}

/// Adds templated row `row` (`li` holds its day, type and amounts) by its template: `known`,
/// or the one an earlier row of the batch made, or a new one classified from its texts.
#[allow(clippy::too_many_arguments)]
fn templated_row<'a>(
    cols: &BatchColumns<'a>,
    row: usize,
    li: &LineItem<'a>,
    identity: &Identity,
    known: Option<u32>,
    wanted: &[String],
    columns: &ColumnSet,
    agg: &mut Aggregator<'_>,
) {
    let (hash, key) = (identity.hash(row), identity.key(row));
    if let Some(t) = known.or_else(|| agg.template_of_hashed(hash, key)) {
        agg.add_templated(t, li, columns);
        return;
    }
    // A map's entries never fail to read: only its first row of a template reads them.
    let json = cols.tag_map.entries(row, cols.focus).unwrap_or_default();
    let mut li = *li;
    cols.fill_texts(row, &mut li);
    let tags = cols.tags(row, &json, wanted);
    li.tags = &tags;
    let t = agg.template_hashed(hash, key, &li);
    agg.add_templated(t, &li, columns);
}

/// Reads row `row` whole, its amounts one at a time (so a bad one is named) and, for a JSON
/// tag column (not `templated`), its tags; then adds it.
#[allow(clippy::too_many_arguments)]
fn row_by_row(
    cols: &BatchColumns<'_>,
    row: usize,
    line: u64,
    file: &str,
    templated: bool,
    identity: &Identity,
    wanted: &[String],
    columns: &ColumnSet,
    agg: &mut Aggregator<'_>,
) {
    let Some((mut li, json)) = cols.line_item(row, line, file, !templated, agg) else {
        return;
    };
    agg.quality()
        .unread(json.iter().map(|(k, _)| k.as_str()), wanted);
    // Costs read the reservation ARN (RI upfront fees); everything else comes from the
    // template.
    li.reservation_arn = cols.ri_arn.get(row);
    li.currency = cols.currency.get(row);
    li.charge_class = cols.charge_class.get(row);
    if templated {
        templated_row(cols, row, &li, identity, None, wanted, columns, agg);
        return;
    }
    cols.fill_texts(row, &mut li);
    let tags = cols.tags(row, &json, wanted);
    li.tags = &tags;
    agg.add(&li, columns);
}
