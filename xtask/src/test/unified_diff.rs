//! A unified diff of two lists of lines, as `diff -u` prints it (hunks of
//! changes with three lines of context, `-` old and `+` new), along a
//! longest common subsequence: how a failed differential test shows where
//! noyau's output leaves Linux's.

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// One step from the old lines to the new ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edit {
    Keep(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// The edits from `old` to `new` along a longest common subsequence (lines
/// compared with `same`); for very long inputs, everything replaced.
fn edits(old: &[String], new: &[String], same: fn(&str, &str) -> bool) -> Vec<Edit> {
    let (n, m) = (old.len(), new.len());
    if n.saturating_mul(m) > 4_000_000 {
        let deletes = (0..n).map(Edit::Delete);
        return deletes.chain((0..m).map(Edit::Insert)).collect();
    }
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if same(&old[i], &new[j]) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && same(&old[i], &new[j]) {
            out.push(Edit::Keep(i, j));
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // Deletions first, as diff -u shows a changed line.
            out.push(Edit::Delete(i));
            i += 1;
        } else {
            out.push(Edit::Insert(j));
            j += 1;
        }
    }
    out
}

/// A unified diff (`@@ -a,b +c,d @@` hunks, CONTEXT lines around each
/// change) from `old` to `new`, lines compared with `same`; empty when they
/// agree.
pub fn unified_diff(old: &[String], new: &[String], same: fn(&str, &str) -> bool) -> String {
    let edits = edits(old, new, same);
    let changed: Vec<usize> = (0..edits.len())
        .filter(|&k| !matches!(edits[k], Edit::Keep(..)))
        .collect();
    let mut text = String::new();
    let mut k = 0;
    while k < changed.len() {
        // A hunk: changes no more than 2 * CONTEXT kept lines apart.
        let first = changed[k];
        let mut last = first;
        while k + 1 < changed.len() && changed[k + 1] - last <= 2 * CONTEXT + 1 {
            k += 1;
            last = changed[k];
        }
        k += 1;
        let from = first.saturating_sub(CONTEXT);
        let to = (last + CONTEXT + 1).min(edits.len());
        text += &hunk(&edits[from..to], old, new, edits[..from].iter());
    }
    text
}

/// One hunk; `before` are the edits ahead of it, to number its lines.
fn hunk<'a>(
    edits: &[Edit],
    old: &[String],
    new: &[String],
    before: impl Iterator<Item = &'a Edit>,
) -> String {
    let (mut old_at, mut new_at) = (0, 0);
    for edit in before {
        match edit {
            Edit::Keep(..) => (old_at, new_at) = (old_at + 1, new_at + 1),
            Edit::Delete(_) => old_at += 1,
            Edit::Insert(_) => new_at += 1,
        }
    }
    let old_len = edits
        .iter()
        .filter(|e| !matches!(e, Edit::Insert(_)))
        .count();
    let new_len = edits
        .iter()
        .filter(|e| !matches!(e, Edit::Delete(_)))
        .count();
    // As diff -u numbers them: an empty side names the line before it.
    let start = |at: usize, len: usize| if len == 0 { at } else { at + 1 };
    let mut text = format!(
        "@@ -{},{old_len} +{},{new_len} @@\n",
        start(old_at, old_len),
        start(new_at, new_len)
    );
    for edit in edits {
        let line = match *edit {
            Edit::Keep(i, _) => format!(" {}", old[i]),
            Edit::Delete(i) => format!("-{}", old[i]),
            Edit::Insert(j) => format!("+{}", new[j]),
        };
        text += &line;
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn eq(a: &str, b: &str) -> bool {
        a == b
    }

    #[test]
    fn diffs_keep_three_lines_of_context_and_merge_close_changes() {
        let old = lines("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20");
        let mut new = old.clone();
        new[1] = "two".into();
        new[7] = "eight".into();
        new.remove(17);
        let diff = unified_diff(&old, &new, eq);
        let expected = "\
@@ -1,11 +1,11 @@
 1
-2
+two
 3
 4
 5
 6
 7
-8
+eight
 9
 10
 11
@@ -15,6 +15,5 @@
 15
 16
 17
-18
 19
 20
";
        assert_eq!(diff, expected);
        assert_eq!(unified_diff(&old, &old, eq), "");
    }

    #[test]
    fn diffs_of_empty_sides_number_as_diff_does() {
        assert_eq!(unified_diff(&[], &lines("a"), eq), "@@ -0,0 +1,1 @@\n+a\n");
        assert_eq!(unified_diff(&lines("a"), &[], eq), "@@ -1,1 +0,0 @@\n-a\n");
    }

    #[test]
    fn lines_match_as_the_caller_says() {
        let loose = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        assert_eq!(unified_diff(&lines("A\nb"), &lines("a\nB"), loose), "");
        let diff = unified_diff(&lines("A\nb"), &lines("a\nc"), loose);
        assert_eq!(diff, "@@ -1,2 +1,2 @@\n A\n-b\n+c\n");
    }
}
