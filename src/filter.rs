//! [`StudyFilter`]: participant groups in a study's `filters`, written exactly as Prolific's
//! docs write them (API reference, Filters, "Advanced filtering").

use serde::Serialize;

/// The filter id of "in one of these participant groups".
const GROUP_ALLOWLIST: &str = "participant_group_allowlist";

/// A filter of a study or a filter set, as Prolific's API takes it: a leaf
/// `{"filter_id", "selected_values"}` or a composite `{"filter_id": "and" | "or",
/// "selected_filters": [...]}`. It only serialises: this crate sends no studies, so put the
/// filters in the `filters` of the study (or filter set) you create or update.
///
/// ```
/// use prolific::StudyFilter;
/// use serde_json::json;
///
/// // In any one of the groups (several values of one filter: any of them).
/// let any = StudyFilter::in_any_group(["g1", "g2"]);
/// assert_eq!(
///     serde_json::to_value(&any)?,
///     json!({"filter_id": "participant_group_allowlist", "selected_values": ["g1", "g2"]})
/// );
///
/// // In every one of the groups: an `and` of one allowlist per group.
/// let every = StudyFilter::in_every_group(["g1", "g2"]);
/// assert_eq!(
///     serde_json::to_value(&every)?,
///     json!({"filter_id": "and", "selected_filters": [
///         {"filter_id": "participant_group_allowlist", "selected_values": ["g1"]},
///         {"filter_id": "participant_group_allowlist", "selected_values": ["g2"]},
///     ]})
/// );
///
/// // Placed in the body of a study: a flat list of filters is itself an implicit `and`.
/// let study = json!({
///     "name": "Session 2",
///     "filters": [StudyFilter::in_any_group(["g1"])],
/// });
/// assert_eq!(study["filters"][0]["filter_id"], "participant_group_allowlist");
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// Give at least one group id: with none, `in_any_group` is an empty allowlist, and
/// `in_every_group` an empty `and`, which every participant matches.
///
/// Prolific's docs also speak of a participant group *blocklist* filter ("in none of these
/// groups") but do not name its `filter_id`; build it with [`StudyFilter::select`] once you
/// have the id from the filters list endpoint (`GET /api/v1/filters/`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StudyFilter {
    /// The filter's id, such as `participant_group_allowlist`, or `and` / `or` for a
    /// composite.
    pub filter_id: String,
    /// The chosen values of a leaf filter (any of them matches).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_values: Option<Vec<String>>,
    /// The filters a composite combines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_filters: Option<Vec<StudyFilter>>,
}

impl StudyFilter {
    /// Participants in at least one of these groups:
    /// `{"filter_id": "participant_group_allowlist", "selected_values": [ids...]}`.
    pub fn in_any_group<I, S>(group_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        StudyFilter::select(GROUP_ALLOWLIST, group_ids)
    }

    /// Participants in every one of these groups: `{"filter_id": "and", "selected_filters":
    /// [...]}` with one allowlist per group.
    pub fn in_every_group<I, S>(group_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        StudyFilter::all(
            group_ids
                .into_iter()
                .map(|id| StudyFilter::in_any_group([id])),
        )
    }

    /// A leaf filter: `{"filter_id": filter_id, "selected_values": [values...]}`.
    pub fn select<I, S>(filter_id: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        StudyFilter {
            filter_id: filter_id.into(),
            selected_values: Some(values.into_iter().map(Into::into).collect()),
            selected_filters: None,
        }
    }

    /// Every one of `filters` must match: `{"filter_id": "and", "selected_filters": [...]}`.
    pub fn all(filters: impl IntoIterator<Item = StudyFilter>) -> Self {
        StudyFilter::composite("and", filters)
    }

    /// At least one of `filters` must match: `{"filter_id": "or", "selected_filters": [...]}`.
    pub fn any(filters: impl IntoIterator<Item = StudyFilter>) -> Self {
        StudyFilter::composite("or", filters)
    }

    fn composite(filter_id: &str, filters: impl IntoIterator<Item = StudyFilter>) -> Self {
        StudyFilter {
            filter_id: filter_id.to_owned(),
            selected_values: None,
            selected_filters: Some(filters.into_iter().collect()),
        }
    }
}
