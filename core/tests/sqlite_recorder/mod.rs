//! A recording SQLite VFS for the power-loss test of the journal and the registry
//! (`reliability_power_loss_sqlite.rs`): it wraps SQLite's default VFS (`unix`), forwards
//! every call to it unchanged and logs, per file, what decides what a power loss leaves on
//! the disk — a file created, the bytes of each write at their offset, a truncation, a file's
//! sync, a removal, a directory's sync.
//!
//! The unix VFS syncs a directory inside two of its methods — `xDelete` with `dirSync` set,
//! after the removal, and the first `xSync` of a rollback journal or WAL the open created,
//! after the file — where no VFS method shows it. Both open the directory through the unix
//! VFS's overridable system call `openDirectory` (`os_unix.c`, `osOpenDirectory`, used
//! nowhere else), and fsync what it returns: the recorder replaces that system call
//! (`xSetSystemCall`) with one that logs the directory sync and calls the original, so the
//! directory syncs are observed, not assumed. The `-shm` index is mapped memory (`xShmMap`),
//! never written through `xWrite`: it is not logged, and the model treats it as never durable
//! (SQLite rebuilds it from the WAL).
//!
//! The log is per thread (SQLite calls a VFS in the thread using the connection), so tests
//! running in parallel threads of one binary do not mix their logs.

#![allow(unsafe_code)]

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::PathBuf;
use std::sync::OnceLock;

use rusqlite::ffi;

/// The name the VFS is registered under.
pub const NAME: &str = "bankkey-recorder";

/// One logged step, in the order SQLite made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A file that did not exist was created (its name not yet durable, its bytes empty).
    Create(PathBuf),
    /// Bytes written at an offset (not yet durable).
    Write(PathBuf, u64, Vec<u8>),
    /// The file truncated (or extended) to a size (not yet durable).
    Truncate(PathBuf, u64),
    /// The file's bytes synced (durable; its name not yet).
    Sync(PathBuf),
    /// A file removed (not yet durable).
    Remove(PathBuf),
    /// A directory synced: its names are durable.
    SyncDir(PathBuf),
}

thread_local! {
    static LOG: RefCell<Option<Vec<Op>>> = const { RefCell::new(None) };
}

/// Starts logging this thread's steps (forgetting earlier ones).
pub fn start() {
    LOG.with(|l| *l.borrow_mut() = Some(Vec::new()));
}

/// Stops logging and returns the steps.
pub fn stop() -> Vec<Op> {
    LOG.with(|l| l.borrow_mut().take().unwrap_or_default())
}

/// How many steps are logged so far.
pub fn len() -> usize {
    LOG.with(|l| l.borrow().as_ref().map_or(0, Vec::len))
}

fn log(op: impl FnOnce() -> Op) {
    LOG.with(|l| {
        if let Some(v) = l.borrow_mut().as_mut() {
            v.push(op())
        }
    });
}

/// Logs `op` at position `at` (the step came first, the directory sync its method made
/// inside was logged meanwhile).
fn log_at(at: usize, op: impl FnOnce() -> Op) {
    LOG.with(|l| {
        if let Some(v) = l.borrow_mut().as_mut() {
            v.insert(at.min(v.len()), op())
        }
    });
}

/// The unix VFS's `openDirectory` system call: `int openDirectory(const char *file, int *fd)`.
type OpenDirectory = unsafe extern "C" fn(*const c_char, *mut c_int) -> c_int;

static OPEN_DIRECTORY: OnceLock<OpenDirectory> = OnceLock::new();

/// The `openDirectory` the unix VFS calls to sync the directory of `file`: the original, and
/// the directory sync logged when it opened (the fsync follows at once).
unsafe extern "C" fn open_directory(file: *const c_char, fd: *mut c_int) -> c_int {
    // SAFETY: the unix VFS's arguments, passed on to its own function.
    let rc = unsafe { OPEN_DIRECTORY.get().unwrap()(file, fd) };
    if rc == ffi::SQLITE_OK {
        // SAFETY: a NUL-terminated path from the unix VFS.
        let path = PathBuf::from(
            unsafe { CStr::from_ptr(file) }
                .to_string_lossy()
                .into_owned(),
        );
        log(|| Op::SyncDir(path.parent().unwrap().to_path_buf()));
    }
    rc
}

/// Registers the VFS (once per process; not as the default).
pub fn register() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        // SAFETY: sqlite3_vfs_find(NULL) returns the default VFS, a static of SQLite's that
        // lives as long as the process; the copy made here is leaked, so it lives as long as
        // SQLite may use it; sqlite3_vfs_register keeps the pointer.
        unsafe {
            assert_eq!(ffi::sqlite3_initialize(), ffi::SQLITE_OK);
            let under = ffi::sqlite3_vfs_find(std::ptr::null());
            assert!(!under.is_null(), "SQLite has no default VFS");
            let mut vfs: ffi::sqlite3_vfs = std::ptr::read(under);
            vfs.szOsFile = (std::mem::size_of::<RecFile>() as c_int) + (*under).szOsFile;
            vfs.pNext = std::ptr::null_mut();
            vfs.zName = CString::new(NAME).unwrap().into_raw();
            vfs.pAppData = under.cast();
            vfs.xOpen = Some(x_open);
            vfs.xDelete = Some(x_delete);
            let vfs = Box::into_raw(Box::new(vfs));
            assert_eq!(ffi::sqlite3_vfs_register(vfs, 0), ffi::SQLITE_OK);
            // The directory syncs: the unix VFS's openDirectory, wrapped. It does only what
            // the original does for every other connection (their syncs are not logged: the
            // log is this thread's, and only while a test records).
            let name = c"openDirectory".as_ptr();
            let original = (*under).xGetSystemCall.unwrap()(under, name)
                .expect("the unix VFS has an openDirectory system call");
            // SAFETY (transmutes): SQLite stores system calls as `void (*)(void)`; this one is
            // `int (*)(const char *, int *)` (os_unix.c) both ways.
            OPEN_DIRECTORY
                .set(std::mem::transmute::<unsafe extern "C" fn(), OpenDirectory>(original))
                .unwrap();
            let ours = std::mem::transmute::<OpenDirectory, unsafe extern "C" fn()>(open_directory);
            assert_eq!(
                (*under).xSetSystemCall.unwrap()(under, name, Some(ours)),
                ffi::SQLITE_OK
            );
        }
    });
}

/// The file object SQLite allocates (`szOsFile` bytes): ours first, the default VFS's file
/// right after it.
#[repr(C)]
struct RecFile {
    base: ffi::sqlite3_file,
    /// The file's path, when it has one (temporary files have none and are not logged).
    path: Option<PathBuf>,
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    // Version 2: the shared-memory methods WAL needs; not version 3's memory-mapped reads.
    iVersion: 2,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

// SAFETY (every function below): SQLite calls them with a file it opened through `x_open`,
// so `f` points to `szOsFile` bytes: a `RecFile` followed by the default VFS's file, whose
// methods pointer the default VFS's xOpen set. Buffers and lengths are SQLite's, passed on.

/// The default VFS's file inside ours.
unsafe fn inner(f: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    unsafe { f.cast::<u8>().add(std::mem::size_of::<RecFile>()).cast() }
}

unsafe fn methods(f: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    unsafe { &*(*inner(f)).pMethods }
}

unsafe fn rec<'a>(f: *mut ffi::sqlite3_file) -> &'a mut RecFile {
    unsafe { &mut *f.cast::<RecFile>() }
}

unsafe extern "C" fn x_open(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    f: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    unsafe {
        let under: *mut ffi::sqlite3_vfs = (*vfs).pAppData.cast();
        let path = (!name.is_null())
            .then(|| PathBuf::from(CStr::from_ptr(name).to_string_lossy().into_owned()));
        let create = flags & ffi::SQLITE_OPEN_CREATE != 0;
        let existed = path.as_ref().is_some_and(|p| p.exists());
        std::ptr::write(
            f.cast::<RecFile>(),
            RecFile {
                base: ffi::sqlite3_file {
                    pMethods: std::ptr::null(),
                },
                path: path.clone(),
            },
        );
        let rc = (*under).xOpen.unwrap()(under, name, inner(f), flags, out_flags);
        if rc != ffi::SQLITE_OK || (*inner(f)).pMethods.is_null() {
            // SQLite does not close a file whose open failed: drop ours here.
            std::ptr::drop_in_place(f.cast::<RecFile>());
            return rc;
        }
        (*f).pMethods = &METHODS;
        if let Some(p) = path
            && create
            && !existed
        {
            log(|| Op::Create(p));
        }
        rc
    }
}

unsafe extern "C" fn x_delete(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync: c_int,
) -> c_int {
    unsafe {
        let under: *mut ffi::sqlite3_vfs = (*vfs).pAppData.cast();
        let at = len();
        let rc = (*under).xDelete.unwrap()(under, name, sync);
        if rc == ffi::SQLITE_OK {
            // Before the directory sync the removal made (`dirSync`), if it made one.
            let path = PathBuf::from(CStr::from_ptr(name).to_string_lossy().into_owned());
            log_at(at, || Op::Remove(path));
        }
        rc
    }
}

unsafe extern "C" fn x_close(f: *mut ffi::sqlite3_file) -> c_int {
    unsafe {
        let rc = methods(f).xClose.unwrap()(inner(f));
        std::ptr::drop_in_place(f.cast::<RecFile>());
        rc
    }
}

unsafe extern "C" fn x_read(
    f: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    n: c_int,
    off: i64,
) -> c_int {
    unsafe { methods(f).xRead.unwrap()(inner(f), buf, n, off) }
}

unsafe extern "C" fn x_write(
    f: *mut ffi::sqlite3_file,
    buf: *const c_void,
    n: c_int,
    off: i64,
) -> c_int {
    unsafe {
        let rc = methods(f).xWrite.unwrap()(inner(f), buf, n, off);
        if rc == ffi::SQLITE_OK
            && let Some(p) = &rec(f).path
        {
            let bytes = std::slice::from_raw_parts(buf.cast::<u8>(), n as usize).to_vec();
            log(|| Op::Write(p.clone(), off as u64, bytes));
        }
        rc
    }
}

unsafe extern "C" fn x_truncate(f: *mut ffi::sqlite3_file, size: i64) -> c_int {
    unsafe {
        let rc = methods(f).xTruncate.unwrap()(inner(f), size);
        if rc == ffi::SQLITE_OK
            && let Some(p) = &rec(f).path
        {
            log(|| Op::Truncate(p.clone(), size as u64));
        }
        rc
    }
}

unsafe extern "C" fn x_sync(f: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    unsafe {
        let at = len();
        let rc = methods(f).xSync.unwrap()(inner(f), flags);
        if rc == ffi::SQLITE_OK
            && let Some(p) = &rec(f).path
        {
            // Before the directory sync the unix VFS made after the file's, if it made one.
            log_at(at, || Op::Sync(p.clone()));
        }
        rc
    }
}

unsafe extern "C" fn x_file_size(f: *mut ffi::sqlite3_file, size: *mut i64) -> c_int {
    unsafe { methods(f).xFileSize.unwrap()(inner(f), size) }
}

unsafe extern "C" fn x_lock(f: *mut ffi::sqlite3_file, lock: c_int) -> c_int {
    unsafe { methods(f).xLock.unwrap()(inner(f), lock) }
}

unsafe extern "C" fn x_unlock(f: *mut ffi::sqlite3_file, lock: c_int) -> c_int {
    unsafe { methods(f).xUnlock.unwrap()(inner(f), lock) }
}

unsafe extern "C" fn x_check_reserved_lock(f: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    unsafe { methods(f).xCheckReservedLock.unwrap()(inner(f), out) }
}

unsafe extern "C" fn x_file_control(
    f: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    unsafe { methods(f).xFileControl.unwrap()(inner(f), op, arg) }
}

unsafe extern "C" fn x_sector_size(f: *mut ffi::sqlite3_file) -> c_int {
    unsafe { methods(f).xSectorSize.unwrap()(inner(f)) }
}

unsafe extern "C" fn x_device_characteristics(f: *mut ffi::sqlite3_file) -> c_int {
    unsafe { methods(f).xDeviceCharacteristics.unwrap()(inner(f)) }
}

unsafe extern "C" fn x_shm_map(
    f: *mut ffi::sqlite3_file,
    region: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    unsafe { methods(f).xShmMap.unwrap()(inner(f), region, size, extend, out) }
}

unsafe extern "C" fn x_shm_lock(
    f: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    unsafe { methods(f).xShmLock.unwrap()(inner(f), offset, n, flags) }
}

unsafe extern "C" fn x_shm_barrier(f: *mut ffi::sqlite3_file) {
    unsafe { methods(f).xShmBarrier.unwrap()(inner(f)) }
}

unsafe extern "C" fn x_shm_unmap(f: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    unsafe { methods(f).xShmUnmap.unwrap()(inner(f), delete) }
}
