//! The statistics the DGITM receives: aggregates only, and never one from which an operator could
//! be singled out. A figure is *sensitive* when it is computed from fewer than
//! [`MIN_DOSSIERS`] dossiers, from fewer than [`MIN_COMPANIES`] companies, or when one company
//! makes up more than [`DOMINANCE_PERCENT`] % of it (primary suppression): it shows « effectif
//! trop faible ». Then, in a table with its totals, no hidden figure may be given back by
//! subtracting what is shown from a total: every row, every column and the margins carry either
//! no hidden figure or at least two (secondary suppression), the complements chosen among the
//! smallest figures so that as little as possible is hidden.
//!
//! An empty cell (no dossier) singles out nobody: it shows 0. Companies are counted from the
//! dossiers themselves for every cell and every total (a company may be in several cells, so
//! counts of companies do not add up): the caller computes each total from the base data.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::dashboard::{Histogram, StatCell};
use super::dossier::GoodsCategory;

/// The fewest dossiers a figure may be computed from.
pub const MIN_DOSSIERS: i64 = 5;
/// The fewest companies a figure may be computed from.
pub const MIN_COMPANIES: i64 = 3;
/// The largest share, in percent, one company may make up of a figure.
pub const DOMINANCE_PERCENT: i64 = 85;
/// What a hidden figure shows.
pub const SUPPRESSED: &str = "effectif trop faible";

/// What a figure is computed from: its dossiers, how many companies they belong to, and how
/// many belong to the company with the most.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contributions {
    pub dossiers: i64,
    pub companies: i64,
    pub largest: i64,
}

impl Contributions {
    /// Whether publishing a figure computed from these could single out an operator.
    pub fn sensitive(&self) -> bool {
        self.dossiers > 0
            && (self.dossiers < MIN_DOSSIERS
                || self.companies < MIN_COMPANIES
                || self.largest * 100 > DOMINANCE_PERCENT * self.dossiers)
    }
}

/// A two-way table (rows × columns, e.g. sites × months) with its totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// `cells[row][column]`.
    pub cells: Vec<Vec<Contributions>>,
    pub row_totals: Vec<Contributions>,
    pub column_totals: Vec<Contributions>,
    pub total: Contributions,
}

/// Which figures of a [`Table`] are hidden, in the same shape.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hidden {
    pub cells: Vec<Vec<bool>>,
    pub row_totals: Vec<bool>,
    pub column_totals: Vec<bool>,
    pub total: bool,
}

/// One figure of a table: a cell, a row's total, a column's total, the grand total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Figure {
    Cell(usize, usize),
    Row(usize),
    Column(usize),
    Total,
}

impl Table {
    fn contributions(&self, figure: Figure) -> Contributions {
        match figure {
            Figure::Cell(row, column) => self.cells[row][column],
            Figure::Row(row) => self.row_totals[row],
            Figure::Column(column) => self.column_totals[column],
            Figure::Total => self.total,
        }
    }

    /// The sums the table states: each row's cells make its total, each column's cells make
    /// its total, the rows' totals and the columns' totals each make the grand total. Each is
    /// its figures, the total last.
    fn equations(&self) -> Vec<Vec<Figure>> {
        let rows = self.cells.len();
        let columns = self.column_totals.len();
        let mut equations = Vec::with_capacity(rows + columns + 2);
        for row in 0..rows {
            let mut figures: Vec<Figure> = (0..columns).map(|c| Figure::Cell(row, c)).collect();
            figures.push(Figure::Row(row));
            equations.push(figures);
        }
        for column in 0..columns {
            let mut figures: Vec<Figure> = (0..rows).map(|r| Figure::Cell(r, column)).collect();
            figures.push(Figure::Column(column));
            equations.push(figures);
        }
        let mut margins: Vec<Figure> = (0..rows).map(Figure::Row).collect();
        margins.push(Figure::Total);
        equations.push(margins);
        let mut margins: Vec<Figure> = (0..columns).map(Figure::Column).collect();
        margins.push(Figure::Total);
        equations.push(margins);
        equations
    }
}

impl Hidden {
    #[cfg(test)]
    fn is(&self, figure: Figure) -> bool {
        match figure {
            Figure::Cell(row, column) => self.cells[row][column],
            Figure::Row(row) => self.row_totals[row],
            Figure::Column(column) => self.column_totals[column],
            Figure::Total => self.total,
        }
    }

    fn hide(&mut self, figure: Figure) {
        match figure {
            Figure::Cell(row, column) => self.cells[row][column] = true,
            Figure::Row(row) => self.row_totals[row] = true,
            Figure::Column(column) => self.column_totals[column] = true,
            Figure::Total => self.total = true,
        }
    }
}

/// What to hide in `table`: its sensitive figures, then, until no sum gives one back, the
/// smallest shown figure (by dossiers, a non-empty one first, a cell before a total) of each sum
/// that hides exactly one.
pub fn suppress(table: &Table) -> Hidden {
    let rows = table.cells.len();
    let columns = table.column_totals.len();
    debug_assert!(table.cells.iter().all(|row| row.len() == columns));
    debug_assert_eq!(table.row_totals.len(), rows);
    let mut figures: Vec<Figure> = (0..rows)
        .flat_map(|row| (0..columns).map(move |column| Figure::Cell(row, column)))
        .collect();
    figures.extend((0..rows).map(Figure::Row));
    figures.extend((0..columns).map(Figure::Column));
    figures.push(Figure::Total);
    let index = |figure: &Figure| figures.iter().position(|f| f == figure).unwrap_or(0);
    let equations: Vec<Vec<usize>> = table
        .equations()
        .iter()
        .map(|equation| equation.iter().map(index).collect())
        .collect();
    let hidden_figures = suppress_figures(
        &figures
            .iter()
            .map(|figure| table.contributions(*figure))
            .collect::<Vec<_>>(),
        &figures
            .iter()
            .map(|figure| !matches!(figure, Figure::Cell(..)))
            .collect::<Vec<_>>(),
        &equations,
    );
    let mut hidden = Hidden {
        cells: vec![vec![false; columns]; rows],
        row_totals: vec![false; rows],
        column_totals: vec![false; columns],
        total: false,
    };
    for (figure, hide) in figures.iter().zip(hidden_figures) {
        if hide {
            hidden.hide(*figure);
        }
    }
    hidden
}

/// The same for any figures and any sums between them (a table of three dimensions and its
/// margins, say): `figures[i]` is what figure `i` is computed from, `totals[i]` whether it is a
/// total (a cell is hidden before a total), each equation the figures of one sum. Returns which
/// figures to hide.
pub fn suppress_figures(
    figures: &[Contributions],
    totals: &[bool],
    equations: &[Vec<usize>],
) -> Vec<bool> {
    let mut hidden: Vec<bool> = figures.iter().map(Contributions::sensitive).collect();
    // Each round hides at least one more figure, and there are finitely many.
    loop {
        let mut changed = false;
        for equation in equations {
            let count = equation.iter().filter(|f| hidden[**f]).count();
            if count != 1 {
                continue;
            }
            let complement = equation
                .iter()
                .copied()
                .filter(|figure| !hidden[*figure])
                .min_by_key(|figure| {
                    let dossiers = figures[*figure].dossiers;
                    (dossiers == 0, totals[*figure], dossiers)
                });
            if let Some(figure) = complement {
                hidden[figure] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

/// The cube of the DGITM's statistics for one indicator: every site, month and goods category
/// of a year, and every total over them (all sites, the year, all goods), each with the
/// companies it is computed from and, for a duration, its histogram. Things without a goods
/// category count in a part of their own, never shown alone, so that the parts of every sum
/// add up to its total. Hiding is worked out over the whole cube at once, so that no choice of
/// goods, and no subtraction of one table from another, gives a hidden figure back.
pub struct Cube {
    sites: Vec<String>,
    companies: Vec<HashMap<i64, i64>>,
    histograms: Vec<Histogram>,
}

/// The months of a year, and the year.
const MONTHS: usize = 13;

impl Cube {
    /// The goods parts (each category, then « without one ») and their total.
    fn width() -> usize {
        GoodsCategory::ALL.len() + 2
    }

    fn index(&self, site: usize, month: usize, goods: usize) -> usize {
        (site * MONTHS + month) * Self::width() + goods
    }

    pub fn new(sites: Vec<String>) -> Cube {
        let size = (sites.len() + 1) * MONTHS * Self::width();
        Cube {
            sites,
            companies: vec![HashMap::new(); size],
            histograms: vec![Histogram::default(); size],
        }
    }

    /// The figures a thing of a site, a month (0 for January) and goods counts in: its own and
    /// every total over it. None for a site outside the cube.
    fn cells(&self, month0: u32, site: &str, goods: Option<&str>) -> Option<Vec<usize>> {
        let s = self.sites.iter().position(|known| known == site)?;
        let g = goods
            .and_then(|code| GoodsCategory::ALL.iter().position(|c| c.code() == code))
            .unwrap_or(GoodsCategory::ALL.len());
        let m = (month0 as usize).min(11);
        let mut cells = Vec::with_capacity(8);
        for site in [s, self.sites.len()] {
            for month in [m, MONTHS - 1] {
                for goods in [g, Self::width() - 1] {
                    cells.push(self.index(site, month, goods));
                }
            }
        }
        Some(cells)
    }

    /// `count` things (dossiers, rendez-vous, places…) of a company (0 for none) counted.
    pub fn count(
        &mut self,
        month0: u32,
        site: &str,
        goods: Option<&str>,
        company: i64,
        count: i64,
    ) {
        for cell in self.cells(month0, site, goods).unwrap_or_default() {
            *self.companies[cell].entry(company).or_default() += count;
        }
    }

    /// `count` durations of a histogram's bucket.
    pub fn durations(
        &mut self,
        month0: u32,
        site: &str,
        goods: Option<&str>,
        bucket: i32,
        count: i64,
    ) {
        for cell in self.cells(month0, site, goods).unwrap_or_default() {
            self.histograms[cell].add(bucket, count);
        }
    }

    /// Which figures of the cube to hide (primary and secondary suppression over the whole cube
    /// at once).
    pub fn hidden(&self) -> Vec<bool> {
        let figures: Vec<Contributions> = self.companies.iter().map(contributions_of).collect();
        {
            let width = Self::width();
            let sites = self.sites.len();
            let mut totals = vec![false; figures.len()];
            let mut equations = Vec::new();
            for s in 0..=sites {
                for m in 0..MONTHS {
                    for g in 0..width {
                        totals[self.index(s, m, g)] =
                            s == sites || m == MONTHS - 1 || g == width - 1;
                    }
                }
            }
            for m in 0..MONTHS {
                for g in 0..width {
                    equations.push((0..=sites).map(|s| self.index(s, m, g)).collect());
                }
            }
            for s in 0..=sites {
                for g in 0..width {
                    equations.push((0..MONTHS).map(|m| self.index(s, m, g)).collect());
                }
                for m in 0..MONTHS {
                    equations.push((0..width).map(|g| self.index(s, m, g)).collect());
                }
            }
            suppress_figures(&figures, &totals, &equations)
        }
    }

    /// The table of one goods category (or all): a row per site, then the row of all sites,
    /// each with its twelve months and its year, the figures of `hidden` (see [`Cube::hidden`],
    /// this cube's or that of another whose figures give this one's away) hidden. `quantile`
    /// reads durations from the histograms instead of counting.
    pub fn table(
        &self,
        goods: Option<GoodsCategory>,
        hidden: &[bool],
        quantile: Option<i64>,
    ) -> Vec<[StatCell; MONTHS]> {
        let figures: Vec<Contributions> = self.companies.iter().map(contributions_of).collect();
        let g = goods
            .and_then(|goods| GoodsCategory::ALL.iter().position(|known| *known == goods))
            .unwrap_or(Self::width() - 1);
        (0..=self.sites.len())
            .map(|s| {
                std::array::from_fn(|m| {
                    let i = self.index(s, m, g);
                    if hidden[i] {
                        StatCell::Hidden
                    } else if let Some(percent) = quantile {
                        self.histograms[i]
                            .percentile(percent)
                            .map_or(StatCell::Empty, StatCell::Figure)
                    } else {
                        StatCell::Figure(figures[i].dossiers)
                    }
                })
            })
            .collect()
    }
}

/// The contributions of a figure's companies (what each counts for, under its id; under 0,
/// what belongs to no company): dossiers, companies, the largest company's. What belongs to no
/// company counts in the figure but is no company, so that it never makes a figure of one or
/// two operators look like one of three.
pub fn contributions_of(companies: &HashMap<i64, i64>) -> Contributions {
    let operators = || {
        companies
            .iter()
            .filter(|(company, n)| **company != 0 && **n > 0)
            .map(|(_, n)| *n)
    };
    Contributions {
        dossiers: companies.values().sum(),
        companies: operators().count() as i64,
        largest: operators().max().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn of(dossiers: i64, companies: i64, largest: i64) -> Contributions {
        Contributions {
            dossiers,
            companies,
            largest,
        }
    }

    #[test]
    fn small_few_or_dominated_figures_are_sensitive() {
        assert!(!of(0, 0, 0).sensitive(), "an empty cell singles out nobody");
        assert!(of(4, 4, 1).sensitive(), "fewer than 5 dossiers");
        assert!(of(50, 2, 25).sensitive(), "fewer than 3 companies");
        assert!(of(100, 10, 86).sensitive(), "one company is 86 %");
        assert!(!of(100, 10, 85).sensitive(), "85 % is allowed");
        assert!(!of(5, 3, 3).sensitive());
    }

    /// A table whose totals are computed from its cells (companies taken as distinct per
    /// cell, which is the worst case for the company rules).
    fn table(cells: Vec<Vec<(i64, i64, i64)>>) -> Table {
        let columns = cells.first().map(Vec::len).unwrap_or(0);
        let sum = |items: &[(i64, i64, i64)]| {
            items.iter().fold(of(0, 0, 0), |acc, (d, c, l)| {
                of(acc.dossiers + d, acc.companies + c, acc.largest.max(*l))
            })
        };
        let rows: Vec<Vec<(i64, i64, i64)>> = cells.clone();
        let row_totals: Vec<Contributions> = rows.iter().map(|row| sum(row)).collect();
        let column_totals: Vec<Contributions> = (0..columns)
            .map(|c| sum(&rows.iter().map(|row| row[c]).collect::<Vec<_>>()))
            .collect();
        let all: Vec<(i64, i64, i64)> = rows.iter().flatten().copied().collect();
        Table {
            cells: rows
                .iter()
                .map(|row| row.iter().map(|(d, c, l)| of(*d, *c, *l)).collect())
                .collect(),
            row_totals,
            column_totals,
            total: sum(&all),
        }
    }

    /// Whether some hidden figure can be given back from one sum and what is shown.
    fn recoverable(table: &Table, hidden: &Hidden) -> bool {
        table
            .equations()
            .iter()
            .any(|equation| equation.iter().filter(|f| hidden.is(**f)).count() == 1)
    }

    #[test]
    fn one_small_cell_takes_a_complement_in_its_row_and_its_column() {
        // Sites × months; Fos in March has 2 dossiers of one company.
        let table = table(vec![
            vec![(40, 6, 10), (35, 6, 9), (2, 1, 2)],
            vec![(20, 4, 6), (22, 5, 6), (18, 4, 5)],
        ]);
        let hidden = suppress(&table);
        assert!(hidden.cells[0][2]);
        assert!(!recoverable(&table, &hidden));
        // The complements are the smallest figures of the same row and column.
        assert!(hidden.cells[0][1], "{hidden:?}");
        assert!(hidden.cells[1][2], "{hidden:?}");
        assert!(hidden.cells[1][1], "{hidden:?}");
        assert!(!hidden.cells[0][0] && !hidden.cells[1][0]);
        assert!(!hidden.total);
    }

    #[test]
    fn a_table_with_nothing_sensitive_hides_nothing() {
        let table = table(vec![
            vec![(40, 6, 10), (35, 6, 9)],
            vec![(20, 4, 6), (22, 5, 6)],
        ]);
        let hidden = suppress(&table);
        assert_eq!(
            hidden,
            Hidden {
                cells: vec![vec![false, false], vec![false, false]],
                row_totals: vec![false, false],
                column_totals: vec![false, false],
                total: false,
            }
        );
    }

    proptest! {
        /// Whatever the figures, no hidden figure comes back from a sum, every sensitive
        /// figure is hidden, and nothing empty is hidden unless needed as a complement.
        #[test]
        fn no_hidden_figure_can_be_recomputed(
            cells in (1usize..5, 1usize..6).prop_flat_map(|(rows, columns)| {
                prop::collection::vec(
                    prop::collection::vec((0i64..30, 1i64..6), columns),
                    rows,
                )
            })
        ) {
            let cells: Vec<Vec<(i64, i64, i64)>> = cells
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|(dossiers, companies)| {
                            let companies = if dossiers == 0 { 0 } else { companies.min(dossiers) };
                            let largest = if companies == 0 { 0 } else { dossiers - (companies - 1) };
                            (dossiers, companies, largest)
                        })
                        .collect()
                })
                .collect();
            let table = table(cells);
            let hidden = suppress(&table);
            prop_assert!(!recoverable(&table, &hidden));
            for (row, cells) in table.cells.iter().enumerate() {
                for (column, cell) in cells.iter().enumerate() {
                    if cell.sensitive() {
                        prop_assert!(hidden.cells[row][column]);
                    }
                }
            }
        }
    }
    #[test]
    fn things_without_goods_count_in_all_goods_only() {
        let mut cube = Cube::new(vec!["FRLEH".into()]);
        for company in 1..=5 {
            cube.count(2, "FRLEH", None, company, 2);
            cube.count(2, "FRLEH", Some(GoodsCategory::Plants.code()), company, 1);
            cube.durations(2, "FRLEH", None, 1, 2);
        }
        let all = cube.table(None, &cube.hidden(), None);
        assert_eq!(all[0][2], StatCell::Figure(15));
        assert_eq!(all[0][12], StatCell::Figure(15), "the year");
        assert_eq!(all[1][2], StatCell::Figure(15), "all sites");
        let plants = cube.table(Some(GoodsCategory::Plants), &cube.hidden(), None);
        assert_eq!(plants[0][2], StatCell::Figure(5));
        assert_eq!(plants[0][3], StatCell::Figure(0));
        // Durations: ten in [5, 10) for all goods, none for plants.
        assert_eq!(
            cube.table(None, &cube.hidden(), Some(50))[0][2],
            StatCell::Figure(7)
        );
        assert_eq!(
            cube.table(Some(GoodsCategory::Plants), &cube.hidden(), Some(50))[0][2],
            StatCell::Empty
        );
    }

    #[test]
    fn what_belongs_to_no_company_is_no_company() {
        let companies: HashMap<i64, i64> = [(1, 3), (2, 1), (0, 1)].into_iter().collect();
        let figure = contributions_of(&companies);
        assert_eq!(
            (figure.dossiers, figure.companies, figure.largest),
            (5, 2, 3)
        );
        assert!(figure.sensitive(), "two operators behind it");
    }
}
