//! Grouping (spec §12.2, §12.3): the records of every partition into persons, in one small
//! hash table per partition, and the persons linked by relation records into families.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::NONE;
use super::ingest::{Compact, PARTITIONS, partition_of};
use crate::primitives::cpr::AgeBand;
use crate::primitives::pseudonym::Pseudonym;

/// Hashes a pseudonym by 8 of its bytes: pseudonyms are HMAC outputs, uniform already.
#[derive(Default)]
pub(super) struct PseudonymHasher(u64);

impl Hasher for PseudonymHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    // A pseudonym hashes as its length, always 32, and then its bytes: the length adds nothing.
    fn write_usize(&mut self, _: usize) {}

    fn write(&mut self, bytes: &[u8]) {
        // Bytes 8..16: the first bits pick the partition and are the same within it.
        match bytes.get(8..16) {
            Some(word) => self.0 = u64::from_le_bytes(word.try_into().unwrap_or_default()),
            None => {
                self.0 = bytes
                    .iter()
                    .fold(self.0, |h, &b| h.rotate_left(8) ^ u64::from(b))
            }
        }
    }
}

pub(super) type PseudonymMap = HashMap<Pseudonym, u32, BuildHasherDefault<PseudonymHasher>>;

/// Per-person aggregates, indexed by person number.
pub(super) struct Persons {
    pub(super) sectors: Vec<u64>,
    /// Age band byte; 0 for a person known only from relation records.
    pub(super) band: Vec<u8>,
    pub(super) major_change: Vec<bool>,
    /// `words` 64-bit words of service bits per person.
    pub(super) services: Vec<u64>,
    pub(super) words: usize,
}

impl Persons {
    pub(super) fn push(&mut self) -> u32 {
        self.sectors.push(0);
        self.band.push(0);
        self.major_change.push(false);
        self.services.resize(self.services.len() + self.words, 0);
        (self.sectors.len() - 1) as u32
    }

    pub(super) fn len(&self) -> usize {
        self.sectors.len()
    }

    pub(super) fn has_services(&self, p: usize) -> bool {
        self.sectors[p] != 0
    }

    pub(super) fn service_words(&self, p: usize) -> &[u64] {
        &self.services[p * self.words..(p + 1) * self.words]
    }

    pub(super) fn service_count(&self, p: usize) -> u32 {
        self.service_words(p).iter().map(|w| w.count_ones()).sum()
    }

    pub(super) fn is_child(&self, p: usize) -> bool {
        AgeBand::from_byte(self.band[p]).is_some_and(AgeBand::is_child)
    }
}

/// Disjoint sets over person numbers, for families.
pub(super) struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let parent = self.0[x as usize];
            self.0[x as usize] = self.0[parent as usize];
            x = parent;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb) as usize] = ra.min(rb);
        }
    }
}

/// A family: a connected group of children and parents.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Family {
    pub(super) with_services: u32,
    pub(super) children: u32,
    pub(super) adults: u32,
    pub(super) sectors: u64,
    /// The age bands of the members with services: bit `b` for the band whose byte is `b`.
    pub(super) bands: u8,
}

/// Every family, with its members in one flat list grouped by family.
pub(super) struct Families {
    pub(super) families: Vec<Family>,
    /// Family `f`'s members are `members[offsets[f]..offsets[f + 1]]`.
    offsets: Vec<u32>,
    members: Vec<u32>,
}

impl Families {
    pub(super) fn members(&self, f: usize) -> &[u32] {
        &self.members[self.offsets[f] as usize..self.offsets[f + 1] as usize]
    }
}

/// Persons as grouped from the records: their aggregates, their pseudonyms, which person each
/// record is of, and the relation records as pairs of persons.
pub(super) struct Grouped {
    pub(super) persons: Persons,
    /// Every person's pseudonym, by person number.
    pub(super) pseudonyms: Vec<Pseudonym>,
    /// (ordinal, person) of every record, partition by partition.
    pub(super) record_person: Vec<Vec<(u32, u32)>>,
    /// (child, parent) of every relation record.
    pub(super) links: Vec<(u32, u32)>,
}

/// Groups the records partition by partition in one small hash table, emptied for each
/// partition so that it stays in the cache (and its memory is touched once); each partition's
/// records are freed as soon as they are grouped. Relation ends are found while their
/// partition's table is at hand.
pub(super) fn group_by_person(
    source_partitions: Vec<Vec<Vec<Compact>>>,
    source_starts: &[u32],
    relations: Vec<(Pseudonym, Pseudonym)>,
    words: usize,
) -> Grouped {
    let records: usize = source_partitions.iter().flatten().map(Vec::len).sum();
    let mut persons = Persons {
        sectors: Vec::with_capacity(records / 2),
        band: Vec::with_capacity(records / 2),
        major_change: Vec::with_capacity(records / 2),
        services: Vec::with_capacity(records / 2 * words),
        words,
    };
    let mut map =
        PseudonymMap::with_capacity_and_hasher(records / PARTITIONS / 2, Default::default());
    let mut pseudonyms: Vec<Pseudonym> = Vec::with_capacity(records / 2);
    let mut record_person: Vec<Vec<(u32, u32)>> = Vec::with_capacity(PARTITIONS);
    let mut source_partitions: Vec<_> = source_partitions
        .into_iter()
        .map(|partitions| partitions.into_iter())
        .collect();
    // Relation ends by partition: end 2i is relation i's child, 2i + 1 its parent.
    let mut relation_ends: Vec<Vec<(u32, Pseudonym)>> = vec![Vec::new(); PARTITIONS];
    for (i, (child, parent)) in relations.into_iter().enumerate() {
        let end = 2 * i as u32;
        relation_ends[partition_of(&child)].push((end, child));
        relation_ends[partition_of(&parent)].push((end + 1, parent));
    }
    let mut person_of_end = vec![NONE; relation_ends.iter().map(Vec::len).sum::<usize>()];
    for ends in relation_ends.iter_mut() {
        // This partition of every publication, its records freed once grouped.
        let buckets: Vec<(u32, Vec<Compact>)> = source_partitions
            .iter_mut()
            .zip(source_starts)
            .map(|(partitions, &start)| (start, partitions.next().unwrap_or_default()))
            .collect();
        let size = buckets.iter().map(|(_, b)| b.len()).sum::<usize>();
        map.clear();
        let mut persons_of = Vec::with_capacity(size);
        for (start, bucket) in &buckets {
            for record in bucket {
                let person = *map.entry(record.pseudonym).or_insert_with(|| {
                    pseudonyms.push(record.pseudonym);
                    persons.push()
                });
                persons_of.push((start + record.ordinal, person));
                let (p, service) = (person as usize, (record.packed & 0xffff) as u16);
                persons.sectors[p] |= 1 << ((record.packed >> 16) & 0x3f);
                persons.band[p] = ((record.packed >> 22) & 0x7) as u8;
                persons.major_change[p] |= record.packed >> 25 & 1 == 1;
                persons.services[p * words + usize::from(service / 64)] |= 1 << (service % 64);
            }
        }
        // Relations link persons, some known only from them.
        for (end, pseudonym) in std::mem::take(ends) {
            person_of_end[end as usize] = *map.entry(pseudonym).or_insert_with(|| {
                pseudonyms.push(pseudonym);
                persons.push()
            });
        }
        record_person.push(persons_of);
    }
    let links = person_of_end
        .chunks_exact(2)
        .map(|ends| (ends[0], ends[1]))
        .collect();
    Grouped {
        persons,
        pseudonyms,
        record_person,
        links,
    }
}

/// Groups persons linked by relation records into families, working only on the linked
/// persons, numbered densely, so that nothing is of the size of the whole population but one
/// index.
pub(super) fn link_families(persons: &Persons, links: &[(u32, u32)]) -> Families {
    let mut dense = vec![NONE; persons.len()];
    let mut linked: Vec<u32> = Vec::new();
    let mut dense_of = |person: u32, linked: &mut Vec<u32>| {
        let slot = &mut dense[person as usize];
        if *slot == NONE {
            *slot = linked.len() as u32;
            linked.push(person);
        }
        *slot
    };
    let pairs: Vec<(u32, u32)> = links
        .iter()
        .map(|&(a, b)| (dense_of(a, &mut linked), dense_of(b, &mut linked)))
        .collect();
    let mut sets = UnionFind((0..linked.len() as u32).collect());
    for &(a, b) in &pairs {
        sets.union(a, b);
    }
    // Number the families by their roots, count their members, and lay the members out.
    let mut family_of_root = vec![NONE; linked.len()];
    let mut family_of = Vec::with_capacity(linked.len());
    let mut sizes: Vec<u32> = Vec::new();
    for d in 0..linked.len() as u32 {
        let root = sets.find(d) as usize;
        if family_of_root[root] == NONE {
            family_of_root[root] = sizes.len() as u32;
            sizes.push(0);
        }
        let family = family_of_root[root];
        sizes[family as usize] += 1;
        family_of.push(family);
    }
    let mut offsets = Vec::with_capacity(sizes.len() + 1);
    offsets.push(0u32);
    for size in &sizes {
        offsets.push(offsets[offsets.len() - 1] + size);
    }
    let mut next: Vec<u32> = offsets[..sizes.len()].to_vec();
    let mut members = vec![0u32; linked.len()];
    let mut families = vec![Family::default(); sizes.len()];
    for (d, &person) in linked.iter().enumerate() {
        let family = family_of[d] as usize;
        members[next[family] as usize] = person;
        next[family] += 1;
        let (p, f) = (person as usize, &mut families[family]);
        if persons.has_services(p) {
            f.with_services += 1;
            f.sectors |= persons.sectors[p];
            // A band byte is below 8 (three bits of the packed record).
            f.bands |= 1 << persons.band[p];
            if persons.is_child(p) {
                f.children += 1;
            } else {
                f.adults += 1;
            }
        }
    }
    Families {
        families,
        offsets,
        members,
    }
}
